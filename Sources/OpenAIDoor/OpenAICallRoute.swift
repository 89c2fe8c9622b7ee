import DoorCalls
import Engine
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAIDialect
import SwitchyardModel

/// The OpenAI dialect of what every door does with a call (`DoorCall`): failures in OpenAI's shape, the request id
/// on every answer, `data: {"error": …}` for a stream that fails after its head.
enum OpenAICallRoute {
    static var requestIdField: HTTPField.Name { HTTPField.Name("x-request-id")! }
    static var shouldRetryField: HTTPField.Name { HTTPField.Name("x-should-retry")! }

    static func begin<Context: RequestContext>(
        _ engine: Engine, _ request: Request, _ context: Context, operation: String, route: String, model: String?, stream: Bool
    ) -> CallContext {
        DoorCall.begin(engine, request, requestId: context.id, door: "openai", operation: operation, route: route, model: model, stream: stream)
    }

    static func answer(_ call: CallContext, requestId: String, logger: Logger, _ handler: () async throws -> Response) async -> Response {
        var response = await DoorCall.answer(call, logger: logger, failure: { failure($0, requestId: requestId) }, handler)
        response.headers[requestIdField] = requestId
        return response
    }

    /// Routes without a model call (the listings, files and batches). A handler may throw OpenAI's error itself
    /// when the canonical kinds do not say it (a 400 naming its parameter).
    static func answer(requestId: String, logger: Logger, _ handler: () async throws -> Response) async -> Response {
        do {
            var response = try await handler()
            response.headers[requestIdField] = requestId
            return response
        } catch let error as OpenAIError {
            return error.response(requestId: requestId)
        } catch {
            return OpenAIError(DoorCall.classify(error, logger: logger)).response(requestId: requestId)
        }
    }

    static func failure(_ error: GatewayError, requestId: String) -> DoorFailure {
        let openAI = OpenAIError(error)
        return DoorFailure(response: openAI.response(requestId: requestId), status: openAI.status, code: code(openAI))
    }

    /// The record's error code: OpenAI's `code` where it has one, else its `type`.
    static func code(_ error: OpenAIError) -> String { error.code ?? error.type }

    static func streamBody(
        _ call: CallContext, logger: Logger, errorEvent: Bool, _ write: @escaping @Sendable @concurrent (inout any ResponseBodyWriter) async throws -> Void
    ) -> ResponseBody {
        DoorCall.streamBody(
            call, logger: logger, code: { code(OpenAIError($0)) },
            errorFrame: { error in
                guard errorEvent else { return nil }
                var frame = ByteBuffer()
                OpenAIChunkWriter.error(OpenAIError(error), into: &frame)
                return frame
            }, write)
    }
}

extension OpenAIError {
    /// The error as the door answers it, also before any route runs (an authentication refusal).
    public func response(requestId: String) -> Response {
        var body = ByteBuffer()
        writeBody(into: &body)
        var headers: HTTPFields = [.contentType: "application/json", OpenAICallRoute.requestIdField: requestId]
        if !retryable { headers[OpenAICallRoute.shouldRetryField] = "false" }
        if let retryAfter = retryAfterHeader { headers[.retryAfter] = retryAfter }
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
