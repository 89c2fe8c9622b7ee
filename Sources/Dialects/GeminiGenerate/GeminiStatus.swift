import SwitchyardModel

/// Google's canonical error statuses (`error.status`), and the quirks of how Gemini reports key problems.
public enum GeminiStatus {
    public static func kind(status: String?, code: Int?) -> GatewayError.Kind {
        switch status {
        case "RESOURCE_EXHAUSTED": return .throttled
        case "UNAVAILABLE": return .unavailable
        case "INTERNAL", "UNKNOWN": return .internalError
        case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE": return .validation
        case "PERMISSION_DENIED", "UNAUTHENTICATED": return .accessDenied
        case "NOT_FOUND": return .notFound
        case "DEADLINE_EXCEEDED": return .timeout
        default: break
        }
        if let code, code >= 400 { return GatewayError.kind(forUpstreamStatus: code) }
        return .streamFailed
    }

    /// Gemini answers a bad or expired key with 400 INVALID_ARGUMENT; it is an authentication failure all the same.
    public static func refine(_ error: GatewayError) -> GatewayError {
        guard error.upstreamStatus == 400, error.message.contains("API key"),
            error.message.contains("not valid") || error.message.contains("expired") || error.message.contains("invalid")
        else { return error }
        return GatewayError(.accessDenied, error.message, upstreamStatus: error.upstreamStatus)
    }
}
