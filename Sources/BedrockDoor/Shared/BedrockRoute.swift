import AWSWire
import DoorCalls
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
    /// The `{modelId}` path segment, percent-decoded only after routing so `%2F` stays inside it.
    static func modelId<Context: RequestContext>(_ context: Context) throws -> String {
        guard let raw = context.parameters.get("modelId"), let modelId = raw.percentDecoded, !modelId.isEmpty else {
            throw GatewayError(.validation, "the model identifier in the path is not valid")
        }
        return modelId
    }

    /// The call's record, started as the request arrives; `answer` and `streamBody` end it.
    static func begin<Context: RequestContext>(
        _ engine: Engine, _ request: Request, _ context: Context, door: String = "bedrock-runtime", operation: String,
        route: String, stream: Bool
    ) -> CallContext {
        DoorCall.begin(
            engine, request, requestId: context.id, door: door, operation: operation, route: route, model: try? modelId(context), stream: stream)
    }

    static func answer(_ call: CallContext, logger: Logger, _ handler: () async throws -> Response) async -> Response {
        await DoorCall.answer(call, logger: logger, failure: failure, handler)
    }

    /// A failure before the head in the Bedrock dialect: boto3's `client.exceptions.<Code>`.
    static func failure(_ error: GatewayError) -> DoorFailure {
        let aws = BedrockErrorMapper.awsError(for: error)
        return DoorFailure(response: errorResponse(error), status: aws.status, code: aws.code)
    }

    static func withPluginHeaders(_ response: Response, _ call: CallContext) -> Response { DoorCall.withPluginHeaders(response, call) }

    /// Routes that make no model call (the batch control plane) answer the same way, with nothing to record.
    static func answer(logger: Logger, _ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch {
            return errorResponse(DoorCall.classify(error, logger: logger))
        }
    }

    /// A body written after the head; a failure after it becomes the Bedrock exception frame `exceptionFrame` makes
    /// (nil where the upstream's own bytes carry it, as in passthrough).
    static func streamBody(
        _ call: CallContext, logger: Logger, exceptionFrame: @escaping @Sendable (GatewayError) -> ByteBuffer?,
        _ write: @escaping @Sendable @concurrent (inout any ResponseBodyWriter) async throws -> Void
    ) -> ResponseBody {
        DoorCall.streamBody(call, logger: logger, code: { BedrockErrorMapper.awsError(for: $0).code }, errorFrame: exceptionFrame, write)
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
