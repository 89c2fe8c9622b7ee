import AWSWire
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardModel

/// What every Bedrock runtime route does the same way: read the model id, honour key pinning, and answer every
/// failure in the Bedrock dialect.
enum BedrockRoute {
    static var pinnedKeyField: HTTPField.Name { HTTPField.Name("x-bf-api-key")! }

    /// The `{modelId}` path segment, percent-decoded only after routing so `%2F` stays inside it.
    static func modelId<Context: RequestContext>(_ context: Context) throws -> String {
        guard let raw = context.parameters.get("modelId"), let modelId = raw.removingPercentEncoding, !modelId.isEmpty else {
            throw GatewayError(.validation, "the model identifier in the path is not valid")
        }
        return modelId
    }

    static var traceParentField: HTTPField.Name { HTTPField.Name("traceparent")! }

    /// The call's record, started as the request arrives; `answer` and `streamBody` end it.
    static func begin<Context: RequestContext>(
        _ engine: Engine, _ request: Request, _ context: Context, door: String = "bedrock-runtime", operation: String,
        route: String, stream: Bool
    ) -> CallContext {
        var descriptor = CallDescriptor(
            requestId: context.id, door: door, operation: operation, route: route, modelRequested: try? modelId(context),
            stream: stream, userAgent: request.headers[.userAgent], traceParent: request.headers[traceParentField],
            pinnedKey: request.headers[pinnedKeyField], httpMethod: request.method.rawValue)
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

    /// Nothing escapes as a bare 500, and every call ends with the status and code the client got.
    static func answer(_ call: CallContext, logger: Logger, _ handler: () async throws -> Response) async -> Response {
        do {
            let response = try await handler()
            if !call.endsWithBody { call.finish(CallEnd(outcome: .success, status: Int(response.status.code))) }
            return withPluginHeaders(response, call)
        } catch let error as GatewayError {
            let aws = BedrockErrorMapper.awsError(for: error)
            call.finish(CallEnd(outcome: .failure, status: aws.status, errorCode: aws.code), error: error)
            return withPluginHeaders(errorResponse(error), call)
        } catch {
            logger.error("unexpected failure", metadata: ["error": "\(error)"])
            let failure = GatewayError(.internalError, "the gateway failed to handle the request")
            let aws = BedrockErrorMapper.awsError(for: failure)
            call.finish(CallEnd(outcome: .failure, status: aws.status, errorCode: aws.code), error: failure)
            return errorResponse(aws)
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

    /// Routes that make no model call (the batch control plane) answer the same way, with nothing to record.
    static func answer(logger: Logger, _ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let error as GatewayError {
            return errorResponse(error)
        } catch {
            logger.error("unexpected failure", metadata: ["error": "\(error)"])
            return errorResponse(GatewayError(.internalError, "the gateway failed to handle the request"))
        }
    }

    /// A body written after the head: `write` sends the frames; a failure after the head becomes the dialect's
    /// exception frame (`exceptionFrame`; nil where the upstream's own bytes carry it, as in passthrough). The call
    /// ends when the last byte is out, or as `clientGone` when the client leaves first.
    static func streamBody(
        _ call: CallContext, logger: Logger, exceptionFrame: @escaping @Sendable (GatewayError) -> ByteBuffer?,
        _ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void
    ) -> ResponseBody {
        call.endWithBody()
        return ResponseBody { writer in
            do {
                try await write(&writer)
            } catch let error as GatewayError {
                let code = BedrockErrorMapper.awsError(for: error).code
                guard let frame = exceptionFrame(error) else {
                    call.finish(CallEnd(outcome: .failure, status: 200, errorCode: code), error: error)
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
            // A passthrough stream's own exception frame went out as bytes; the tap reported it.
            if let failure = call.record.error {
                call.finish(CallEnd(outcome: .failure, status: 200, errorCode: failure.upstreamCode ?? BedrockErrorMapper.awsError(for: failure).code))
            } else {
                call.finish(CallEnd(outcome: .success, status: 200))
            }
        }
    }

    static func errorResponse(_ error: GatewayError) -> Response {
        var response = errorResponse(BedrockErrorMapper.awsError(for: error))
        if let retryAfter = BedrockErrorMapper.retryAfterHeader(for: error) {
            response.headers[.retryAfter] = retryAfter
        }
        return response
    }

    static func errorResponse(_ aws: AWSJSONError) -> Response {
        var headers = HTTPFields()
        for header in aws.headers {
            if let name = HTTPField.Name(header.name) { headers[name] = header.value }
        }
        return Response(status: .init(code: aws.status), headers: headers, body: ResponseBody(byteBuffer: aws.bodyBuffer))
    }
}
