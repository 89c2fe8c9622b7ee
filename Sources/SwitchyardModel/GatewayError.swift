/// The one error type every layer throws; each door maps `kind` to its dialect's codes.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case validation
        case payloadTooLarge
        case accessDenied
        case notFound
        case throttled
        case timeout
        case unavailable
        case internalError
        /// The upstream answered, but with something the gateway cannot use (not valid JSON, too large); asking
        /// again would only fetch the same answer.
        case badUpstreamAnswer
        /// The upstream failed after the answer began streaming.
        case streamFailed
        /// The caller's budget cannot cover the call. Not a throttle: asking again before the budget's window
        /// resets only fails again, so no client should retry it.
        case quotaExceeded
    }

    public var kind: Kind
    public var message: String
    /// The upstream's HTTP status, when the error came from one.
    public var upstreamStatus: Int?
    /// The upstream's own error code, when it speaks the caller's dialect and the door can give it back as it was.
    public var upstreamCode: String?
    /// How long the upstream asked callers to wait before trying again (`Retry-After`, `retry-after-ms`).
    public var retryAfterSeconds: Double?
    /// Set when a plugin of the engine's chain (governance, budgets, limits) refused the call: the caller's policy
    /// said no, not the upstream, so no fallback is tried.
    public var refusedByPlugin = false

    public init(
        _ kind: Kind, _ message: String, upstreamStatus: Int? = nil, upstreamCode: String? = nil, retryAfterSeconds: Double? = nil
    ) {
        self.kind = kind
        self.message = message
        self.upstreamStatus = upstreamStatus
        self.upstreamCode = upstreamCode
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(kind): \(message)" }

    /// Whether trying again (another key, a moment later) may succeed. Timeouts are not retried: the caller has
    /// already waited the whole timeout once.
    public var isRetryable: Bool {
        switch kind {
        case .throttled, .unavailable, .internalError: true
        default: false
        }
    }

    /// The kind an upstream HTTP status means.
    public static func kind(forUpstreamStatus status: Int) -> Kind {
        switch status {
        case 401, 403: .accessDenied
        case 404: .notFound
        case 408: .timeout
        case 413: .payloadTooLarge
        case 429: .throttled
        case 400..<500: .validation
        case 500: .internalError
        default: .unavailable
        }
    }
}
