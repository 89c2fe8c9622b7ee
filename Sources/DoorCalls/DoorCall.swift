import Engine
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardModel

/// How a failure reads in a door's dialect: the response the client gets, and the status and code the call's record
/// keeps of it.
public struct DoorFailure: Sendable {
    public var response: Response
    public var status: Int
    public var code: String

    public init(response: Response, status: Int, code: String) {
        self.response = response
        self.status = status
        self.code = code
    }
}

/// What every door does with a call the same way, whatever its dialect: nothing escapes as a bare 500, plugin
/// headers go on every answer, and the call's record ends exactly once, with the status and code the client saw —
/// for a streamed body when its last byte is out, or as `clientGone` when the client leaves first. A door supplies
/// only its dialect: how a failure reads before the head, and the frame that ends a stream that failed after it.
public enum DoorCall {
    static var traceParentField: HTTPField.Name { HTTPField.Name("traceparent")! }
    /// Bifrost's header naming the provider key a call must use (key pinning).
    static var pinnedKeyField: HTTPField.Name { HTTPField.Name("x-bf-api-key")! }

    /// The call's record, started as the request arrives; `answer` and `streamBody` end it.
    public static func begin(
        _ engine: Engine, _ request: Request, requestId: String, door: String, operation: String, route: String, model: String?,
        stream: Bool
    ) -> CallContext {
        var descriptor = CallDescriptor(
            requestId: requestId, door: door, operation: operation, route: route, modelRequested: model, stream: stream,
            userAgent: request.headers[.userAgent], traceParent: request.headers[traceParentField], pinnedKey: request.headers[pinnedKeyField],
            httpMethod: request.method.rawValue)
        descriptor.cacheControls = cacheControls(request.headers)
        return engine.begin(descriptor)
    }

    public static func answer(
        _ call: CallContext, logger: Logger, failure: (GatewayError) -> DoorFailure, _ handler: () async throws -> Response
    ) async -> Response {
        do {
            let response = try await handler()
            if !call.endsWithBody { call.finish(CallEnd(outcome: .success, status: Int(response.status.code))) }
            return withPluginHeaders(response, call)
        } catch is CancellationError {
            // The client left (its connection closed and the server cancelled the handler): not the gateway's
            // fault, and charged what was used, at least its input, like a stream the client leaves.
            call.finish(CallEnd(outcome: .clientGone, status: 499))
            return failure(GatewayError(.timeout, "the client closed the connection")).response
        } catch {
            let gatewayError = classify(error, logger: logger)
            let answer = failure(gatewayError)
            call.finish(CallEnd(outcome: .failure, status: answer.status, errorCode: answer.code), error: gatewayError)
            return withPluginHeaders(answer.response, call)
        }
    }

    /// A `GatewayError` as it is; anything else is the gateway's own fault, logged here and answered as an internal
    /// error, never with its description (which may hold anything).
    public static func classify(_ error: any Error, logger: Logger) -> GatewayError {
        if let error = error as? GatewayError { return error }
        logger.error("unexpected failure", metadata: ["error": "\(error)"])
        return GatewayError(.internalError, "the gateway failed to handle the request")
    }

    /// What the plugins asked to put on the head (rate-limit state), on success and refusal alike.
    public static func withPluginHeaders(_ response: Response, _ call: CallContext) -> Response {
        let extra = call.answerHeaders
        guard !extra.isEmpty else { return response }
        var response = response
        for header in extra {
            if let name = HTTPField.Name(header.name) { response.headers[name] = header.value }
        }
        return response
    }

    /// A body written after the head: `write` sends the frames; a failure after the head becomes the dialect's error
    /// frame (`errorFrame`; nil where the upstream's own bytes carry it, as in passthrough). `code` names a failure
    /// in the dialect for the record.
    public static func streamBody(
        _ call: CallContext, logger: Logger, code: @escaping @Sendable (GatewayError) -> String,
        errorFrame: @escaping @Sendable (GatewayError) -> ByteBuffer?,
        _ write: @escaping @Sendable @concurrent (inout any ResponseBodyWriter) async throws -> Void
    ) -> ResponseBody {
        call.endWithBody()
        return ResponseBody { writer in
            do {
                try await write(&writer)
            } catch let error as GatewayError {
                guard let frame = errorFrame(error) else {
                    call.finish(CallEnd(outcome: .failure, status: 200, errorCode: code(error)), error: error)
                    throw error
                }
                logger.info("stream failed", metadata: ["model": "\(call.descriptor.modelRequested ?? "")", "error": "\(error.message)"])
                do {
                    try await writer.write(frame)
                    try await writer.finish(nil)
                } catch {
                    call.finish(CallEnd(outcome: .clientGone, status: 200), error: error as? GatewayError)
                    throw error
                }
                call.finish(CallEnd(outcome: .failure, status: 200, errorCode: code(error)), error: error)
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
            // A passthrough stream's own error frame went out as bytes; the adapter's tap reported it.
            if let failure = call.record.error {
                call.finish(CallEnd(outcome: .failure, status: 200, errorCode: failure.upstreamCode ?? code(failure)))
            } else {
                call.finish(CallEnd(outcome: .success, status: 200))
            }
        }
    }

    /// The headers the answer cache reads; most requests carry none, and then this allocates nothing.
    public static func cacheControls(_ headers: HTTPFields) -> [AnswerHeader] {
        var found: [AnswerHeader] = []
        for field in headers {
            let name = field.name.canonicalName
            if name.hasPrefix("x-swyd-cache") || name.hasPrefix("x-bf-cache") || name == "cache-control" {
                found.append(AnswerHeader(name, field.value))
            }
        }
        return found
    }
}
