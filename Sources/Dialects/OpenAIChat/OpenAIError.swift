import AWSWire
import NIOCore
import SwitchyardModel

/// An error in OpenAI's shape, `{"error": {message, type, param, code}}`, with the status the SDK reads to pick its
/// exception class (400 BadRequestError, 401 AuthenticationError, 403 PermissionDeniedError, 404 NotFoundError,
/// 429 RateLimitError, 5xx InternalServerError).
public struct OpenAIError: Error, Sendable {
    public var status: Int
    public var type: String
    public var code: String?
    public var param: String?
    public var message: String
    /// `x-should-retry: false`: the SDK would otherwise retry a 429 or 5xx that retrying cannot mend (a budget).
    public var retryable: Bool
    public var retryAfterSeconds: Double?

    public init(status: Int, type: String, code: String? = nil, param: String? = nil, message: String, retryable: Bool = true) {
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.message = message
        self.retryable = retryable
    }

    public init(_ error: GatewayError) {
        let message = error.message
        switch error.kind {
        case .validation: self.init(status: 400, type: "invalid_request_error", message: message)
        case .payloadTooLarge: self.init(status: 413, type: "invalid_request_error", code: "request_too_large", message: message)
        case .accessDenied: self.init(status: 403, type: "invalid_request_error", code: "permission_denied", message: message)
        case .notFound: self.init(status: 404, type: "invalid_request_error", code: "model_not_found", message: message)
        case .throttled: self.init(status: 429, type: "requests", code: "rate_limit_exceeded", message: message)
        // OpenAI's own answer to an exhausted quota: a 429 the caller must not retry.
        case .quotaExceeded:
            self.init(status: 429, type: "insufficient_quota", code: "insufficient_quota", message: message, retryable: false)
        case .timeout: self.init(status: 504, type: "timeout", code: "upstream_timeout", message: message)
        case .unavailable: self.init(status: 503, type: "server_error", code: "service_unavailable", message: message)
        case .internalError: self.init(status: 500, type: "server_error", message: message)
        case .badUpstreamAnswer, .streamFailed: self.init(status: 502, type: "server_error", code: "bad_upstream_answer", message: message)
        }
        retryAfterSeconds = error.retryAfterSeconds
    }

    public func writeBody(into out: inout ByteBuffer) {
        out.writeStaticString(#"{"error":{"message":"#)
        out.writeJSONString(message)
        out.writeStaticString(#","type":"#)
        out.writeJSONString(type)
        out.writeStaticString(#","param":"#)
        if let param { out.writeJSONString(param) } else { out.writeStaticString("null") }
        out.writeStaticString(#","code":"#)
        if let code { out.writeJSONString(code) } else { out.writeStaticString("null") }
        out.writeStaticString("}}")
    }

    /// `Retry-After` in whole seconds, rounded up so a caller who obeys it never comes back early.
    public var retryAfterHeader: String? {
        guard let seconds = retryAfterSeconds, seconds.isFinite, seconds >= 0 else { return nil }
        return String(Int(min(seconds, 86_400).rounded(.up)))
    }
}
