import AWSWire
import SwitchyardModel

/// Maps canonical errors to the bedrock-runtime error codes and statuses of the service model, so that
/// boto3 raises the matching `client.exceptions.<Code>` class.
public enum BedrockErrorMapper {
    public static func codeAndStatus(for kind: GatewayError.Kind) -> (code: String, status: Int) {
        switch kind {
        case .validation: ("ValidationException", 400)
        case .payloadTooLarge: ("ValidationException", 413)
        case .accessDenied: ("AccessDeniedException", 403)
        case .notFound: ("ResourceNotFoundException", 404)
        case .throttled: ("ThrottlingException", 429)
        case .timeout: ("ModelTimeoutException", 408)
        case .unavailable: ("ServiceUnavailableException", 503)
        case .internalError: ("InternalServerException", 500)
        case .streamFailed: ("ModelStreamErrorException", 424)
        }
    }

    public static func awsError(for error: GatewayError) -> AWSJSONError {
        // An AWS upstream's own error goes back as it came, code and status alike.
        if let code = error.upstreamCode, let status = error.upstreamStatus, code.hasSuffix("Exception") {
            return AWSJSONError(code: code, message: error.message, status: status)
        }
        let (code, status) = codeAndStatus(for: error.kind)
        return AWSJSONError(code: code, message: error.message, status: status)
    }
}
