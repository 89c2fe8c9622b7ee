import AnthropicDialect
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
    static var pinnedKeyField: HTTPField.Name { HTTPField.Name("x-bf-api-key")! }
    static var traceParentField: HTTPField.Name { HTTPField.Name("traceparent")! }

    /// The model is in the body, not the path: the route names it on the record once it has read the body.
    static func begin<Context: RequestContext>(
        _ engine: Engine, _ request: Request, _ context: Context, operation: String, route: String
    ) -> CallContext {
        var descriptor = CallDescriptor(
            requestId: context.id, door: "anthropic", operation: operation, route: route, userAgent: request.headers[.userAgent],
            traceParent: request.headers[traceParentField], pinnedKey: request.headers[pinnedKeyField], httpMethod: request.method.rawValue)
        descriptor.cacheControls = cacheControls(request.headers)
        return engine.begin(descriptor)
    }

    /// The headers the answer cache reads; most requests carry none, and then this allocates nothing.
    static func cacheControls(_ headers: HTTPFields) -> [AnswerHeader] {
        var found: [AnswerHeader] = []
        for field in headers {
            let name = field.name.canonicalName
            if name.hasPrefix("x-swyd-cache") || name.hasPrefix("x-bf-cache") || name == "cache-control" {
                found.append(AnswerHeader(name, field.value))
            }
        }
        return found
    }

    /// Nothing escapes as a bare 500, every answer carries `request-id`, and every call ends once.
    static func answer(_ call: CallContext, logger: Logger, _ handler: () async throws -> Response) async -> Response {
        let requestId = call.descriptor.requestId
        do {
            var response = try await handler()
            if !call.endsWithBody { call.finish(CallEnd(outcome: .success, status: Int(response.status.code))) }
            response.headers[AnthropicErrorMapper.requestIdField] = requestId
            return withPluginHeaders(response, call)
        } catch let error as GatewayError {
            let type = AnthropicErrorMapper.type(for: error.kind)
            call.finish(CallEnd(outcome: .failure, status: type.status, errorCode: type.rawValue), error: error)
            return withPluginHeaders(AnthropicErrorMapper.response(error, requestId: requestId), call)
        } catch {
            logger.error("unexpected failure", metadata: ["error": "\(error)"])
            let failure = GatewayError(.internalError, "the gateway failed to handle the request")
            call.finish(CallEnd(outcome: .failure, status: 500, errorCode: AnthropicErrorType.api.rawValue), error: failure)
            return AnthropicErrorMapper.response(failure, requestId: requestId)
        }
    }

    /// What the plugins asked to put on the head (rate-limit state), on success and refusal alike.
    static func withPluginHeaders(_ response: Response, _ call: CallContext) -> Response {
        let extra = call.answerHeaders
        guard !extra.isEmpty else { return response }
        var response = response
        for header in extra {
            if let name = HTTPField.Name(header.name) { response.headers[name] = header.value }
        }
        return response
    }

    /// A body written after the head. A failure after it becomes an `error` event (`errorEvent`; nil where the
    /// upstream's own bytes carry it, as in passthrough). The call ends when the last byte is out, or as
    /// `clientGone` when the client leaves first.
    static func streamBody(
        _ call: CallContext, logger: Logger, errorEvent: @escaping @Sendable (GatewayError) -> ByteBuffer?,
        _ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void
    ) -> ResponseBody {
        call.endWithBody()
        return ResponseBody { writer in
            do {
                try await write(&writer)
            } catch let error as GatewayError {
                let code = AnthropicErrorMapper.type(for: error.kind).rawValue
                guard let event = errorEvent(error) else {
                    call.finish(CallEnd(outcome: .failure, status: 200, errorCode: code), error: error)
                    throw error
                }
                logger.info("stream failed", metadata: ["model": "\(call.descriptor.modelRequested ?? "")", "error": "\(error.message)"])
                do {
                    try await writer.write(event)
                    try await writer.finish(nil)
                } catch {
                    call.finish(CallEnd(outcome: .clientGone, status: 200), error: error as? GatewayError)
                    throw error
                }
                call.finish(CallEnd(outcome: .failure, status: 200, errorCode: code), error: error)
                return
            } catch is CancellationError {
                call.finish(CallEnd(outcome: .clientGone, status: 200))
                return
            } catch {
                call.finish(CallEnd(outcome: .clientGone, status: 200))
                throw error
            }
            do {
                try await writer.finish(nil)
            } catch {
                call.finish(CallEnd(outcome: .clientGone, status: 200))
                throw error
            }
            // A passthrough stream's own error event went out as bytes; the adapter reported it.
            if let failure = call.record.error {
                call.finish(
                    CallEnd(outcome: .failure, status: 200, errorCode: failure.upstreamCode ?? AnthropicErrorMapper.type(for: failure.kind).rawValue))
            } else {
                call.finish(CallEnd(outcome: .success, status: 200))
            }
        }
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
