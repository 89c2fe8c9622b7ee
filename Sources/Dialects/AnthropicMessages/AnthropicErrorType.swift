import AWSWire
import NIOCore
import SwitchyardModel

/// The `error.type` values of Anthropic's error bodies, with the HTTP status each comes with.
public enum AnthropicErrorType: String, Sendable, CaseIterable {
    case invalidRequest = "invalid_request_error"
    case authentication = "authentication_error"
    case permission = "permission_error"
    case notFound = "not_found_error"
    case requestTooLarge = "request_too_large"
    case rateLimit = "rate_limit_error"
    case api = "api_error"
    case overloaded = "overloaded_error"

    public var status: Int {
        switch self {
        case .invalidRequest: 400
        case .authentication: 401
        case .permission: 403
        case .notFound: 404
        case .requestTooLarge: 413
        case .rateLimit: 429
        case .api: 500
        case .overloaded: 529
        }
    }

    /// The type a canonical error is answered with. The SDKs retry 408, 409, 429 and every 5xx; a budget that cannot
    /// cover the call fails again until its window resets, so it is a 400 that no SDK retries.
    public init(kind: GatewayError.Kind) {
        self =
            switch kind {
            case .validation: .invalidRequest
            case .payloadTooLarge: .requestTooLarge
            case .accessDenied: .permission
            case .notFound: .notFound
            case .throttled: .rateLimit
            case .quotaExceeded: .invalidRequest
            case .unavailable: .overloaded
            case .timeout, .internalError, .badUpstreamAnswer, .streamFailed: .api
            }
    }

    /// The status of an error type as an upstream named it; unknown types are server errors.
    public static func status(of type: String) -> Int {
        AnthropicErrorType(rawValue: type)?.status ?? 500
    }

    /// The canonical kind of an error type met inside a stream; nil for types that have none there.
    public static func kind(of type: String?) -> GatewayError.Kind? {
        switch type {
        case "overloaded_error": .unavailable
        case "rate_limit_error": .throttled
        case "api_error": .internalError
        case "invalid_request_error": .validation
        default: nil
        }
    }

    /// `{"type":"error","error":{"type":…,"message":…}}`, the body of an error answer and the data of a stream's
    /// `error` event alike.
    public func writeBody(message: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"type\":\"error\",\"error\":{\"type\":")
        b.writeJSONString(rawValue)
        b.writeStaticString(",\"message\":")
        b.writeJSONString(message)
        b.writeStaticString("}}")
    }
}
