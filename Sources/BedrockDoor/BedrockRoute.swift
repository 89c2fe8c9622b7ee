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

    static func options(_ request: Request) -> CallOptions {
        CallOptions(pinnedKey: request.headers[pinnedKeyField])
    }

    /// Nothing escapes as a bare 500.
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
