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
        // The service model's error for a model that answered wrongly; its 424 is not retried by boto3.
        case .badUpstreamAnswer: ("ModelErrorException", 424)
        case .streamFailed: ("ModelStreamErrorException", 424)
        // Modelled (400), so boto3 raises `ServiceQuotaExceededException` and, unlike a 429, does not retry it.
        case .quotaExceeded: ("ServiceQuotaExceededException", 400)
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

    /// The upstream's wait, passed on to the caller as whole seconds (the only form of `Retry-After` besides a date),
    /// rounded up so that a caller who obeys it never comes back early.
    public static func retryAfterHeader(for error: GatewayError) -> String? {
        guard let seconds = error.retryAfterSeconds, seconds.isFinite, seconds >= 0 else { return nil }
        return String(Int(min(seconds, 86_400).rounded(.up)))
    }
}
