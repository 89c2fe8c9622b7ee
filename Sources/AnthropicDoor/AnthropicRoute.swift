import AnthropicDialect
import DoorCalls
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardModel

/// What every Anthropic route does the same way: start the call's record, answer every failure in Anthropic's
/// shape, and end the call with the status and error type the client got.
enum AnthropicRoute {
    /// The model is in the body, not the path: the route names it on the record once it has read the body.
    static func begin<Context: RequestContext>(
        _ engine: Engine, _ request: Request, _ context: Context, operation: String, route: String
    ) -> CallContext {
        DoorCall.begin(engine, request, requestId: context.id, door: "anthropic", operation: operation, route: route, model: nil, stream: false)
    }

    /// Nothing escapes as a bare 500, every answer carries `request-id`, and every call ends once.
    static func answer(_ call: CallContext, logger: Logger, _ handler: () async throws -> Response) async -> Response {
        let requestId = call.descriptor.requestId
        var response = await DoorCall.answer(
            call, logger: logger,
            failure: { error in
                let type = AnthropicErrorMapper.type(for: error.kind)
                return DoorFailure(response: AnthropicErrorMapper.response(error, requestId: requestId), status: type.status, code: type.rawValue)
            }, handler)
        response.headers[AnthropicErrorMapper.requestIdField] = requestId
        return response
    }

    /// A body written after the head. A failure after it becomes an `error` event (`errorEvent`; nil where the
    /// upstream's own bytes carry it, as in passthrough).
    static func streamBody(
        _ call: CallContext, logger: Logger, errorEvent: @escaping @Sendable (GatewayError) -> ByteBuffer?,
        _ write: @escaping @Sendable @concurrent (inout any ResponseBodyWriter) async throws -> Void
    ) -> ResponseBody {
        DoorCall.streamBody(call, logger: logger, code: { AnthropicErrorMapper.type(for: $0.kind).rawValue }, errorFrame: errorEvent, write)
    }

    /// Refuses an oversized body from its Content-Length before reading any of it, and stops reading one that
    /// grows past the limit.
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let declared = request.headers[values: .contentLength].first.flatMap({ Int($0) }), declared > limit {
            throw tooLarge(limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge(limit)
        } catch {
            throw GatewayError(.validation, "the request body could not be read whole: the connection ended early or its chunked framing is malformed")
        }
    }

    static func tooLarge(_ limit: Int) -> GatewayError {
        GatewayError(.payloadTooLarge, "the request body is larger than the limit of \(limit) bytes")
    }
}
