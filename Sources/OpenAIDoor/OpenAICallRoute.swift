import Engine
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAIDialect
import SwitchyardModel

/// What every OpenAI door route does the same way: start the call's record, answer every failure in OpenAI's shape
/// with the request id, and end the record once the client has its answer.
enum OpenAICallRoute {
    static var requestIdField: HTTPField.Name { HTTPField.Name("x-request-id")! }
    static var shouldRetryField: HTTPField.Name { HTTPField.Name("x-should-retry")! }
    static var traceParentField: HTTPField.Name { HTTPField.Name("traceparent")! }
    static var pinnedKeyField: HTTPField.Name { HTTPField.Name("x-bf-api-key")! }

    static func begin<Context: RequestContext>(
        _ engine: Engine, _ request: Request, _ context: Context, operation: String, route: String, model: String?, stream: Bool
    ) -> CallContext {
        var descriptor = CallDescriptor(
            requestId: context.id, door: "openai", operation: operation, route: route, modelRequested: model, stream: stream,
            userAgent: request.headers[.userAgent], traceParent: request.headers[traceParentField], pinnedKey: request.headers[pinnedKeyField],
            httpMethod: request.method.rawValue)
        descriptor.cacheControls = request.headers.compactMap { field in
            let name = field.name.canonicalName
            return name.hasPrefix("x-swyd-cache") || name.hasPrefix("x-bf-cache") || name == "cache-control" ? AnswerHeader(name, field.value) : nil
        }
        return engine.begin(descriptor)
    }

    /// Nothing escapes as a bare 500, and every call ends with the status and code the client got.
    static func answer(_ call: CallContext, requestId: String, logger: Logger, _ handler: () async throws -> Response) async -> Response {
        do {
            let response = try await handler()
            if !call.endsWithBody { call.finish(CallEnd(outcome: .success, status: Int(response.status.code))) }
            return decorated(response, call, requestId: requestId)
        } catch {
            let failure = gatewayError(error, logger: logger)
            let openAI = OpenAIError(failure)
            call.finish(CallEnd(outcome: .failure, status: openAI.status, errorCode: openAI.code ?? openAI.type), error: failure)
            return decorated(errorResponse(openAI, requestId: requestId), call, requestId: requestId)
        }
    }

    /// Routes without a model call (the listings, files and batches). A handler may throw OpenAI's error itself
    /// when the canonical kinds do not say it (a 400 naming its parameter).
    static func answer(requestId: String, logger: Logger, _ handler: () async throws -> Response) async -> Response {
        do {
            var response = try await handler()
            response.headers[requestIdField] = requestId
            return response
        } catch let error as OpenAIError {
            return errorResponse(error, requestId: requestId)
        } catch {
            return errorResponse(OpenAIError(gatewayError(error, logger: logger)), requestId: requestId)
        }
    }

    static func gatewayError(_ error: any Error, logger: Logger) -> GatewayError {
        if let error = error as? GatewayError { return error }
        logger.error("unexpected failure", metadata: ["error": "\(error)"])
        return GatewayError(.internalError, "the gateway failed to handle the request")
    }

    static func errorResponse(_ error: OpenAIError, requestId: String) -> Response { error.response(requestId: requestId) }

    /// The request id, and what the plugins asked to put on the head (rate-limit state), on success and refusal alike.
    static func decorated(_ response: Response, _ call: CallContext, requestId: String) -> Response {
        var response = response
        response.headers[requestIdField] = requestId
        for header in call.answerHeaders {
            if let name = HTTPField.Name(header.name) { response.headers[name] = header.value }
        }
        return response
    }

    /// An SSE body: `write` sends the events; a failure after the head becomes OpenAI's error event (nil where the
    /// upstream's own bytes carry it, as in passthrough). The call ends when the last byte is out, or as
    /// `clientGone` when the client leaves first.
    static func streamBody(
        _ call: CallContext, logger: Logger, errorEvent: Bool, _ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void
    ) -> ResponseBody {
        call.endWithBody()
        return ResponseBody { writer in
            do {
                try await write(&writer)
            } catch let error as GatewayError {
                let openAI = OpenAIError(error)
                guard errorEvent else {
                    call.finish(CallEnd(outcome: .failure, status: 200, errorCode: openAI.code ?? openAI.type), error: error)
                    throw error
                }
                logger.info("stream failed", metadata: ["model": "\(call.descriptor.modelRequested ?? "")", "error": "\(error.message)"])
                var frame = ByteBuffer()
                OpenAIChunkWriter.error(openAI, into: &frame)
                do {
                    try await writer.write(frame)
                    try await writer.finish(nil)
                } catch {
                    call.finish(CallEnd(outcome: .clientGone, status: 200), error: error as? GatewayError)
                    throw error
                }
                call.finish(CallEnd(outcome: .failure, status: 200, errorCode: openAI.code ?? openAI.type), error: error)
                return
            } catch {
                call.finish(CallEnd(outcome: .clientGone, status: 200))
                if error is CancellationError { return }
                throw error
            }
            do {
                try await writer.finish(nil)
            } catch {
                call.finish(CallEnd(outcome: .clientGone, status: 200))
                throw error
            }
            if let failure = call.record.error {
                call.finish(CallEnd(outcome: .failure, status: 200, errorCode: failure.upstreamCode ?? OpenAIError(failure).type))
            } else {
                call.finish(CallEnd(outcome: .success, status: 200))
            }
        }
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
