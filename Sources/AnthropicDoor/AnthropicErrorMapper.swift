import AnthropicDialect
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardModel

/// Canonical errors in Anthropic's shape and with its statuses, so the SDKs raise their own error classes
/// (`BadRequestError`, `RateLimitError`, …) and retry only what Anthropic would have them retry.
public enum AnthropicErrorMapper {
    public static func type(for kind: GatewayError.Kind) -> AnthropicErrorType {
        AnthropicErrorType(kind: kind)
    }

    /// The error answer: the body, `request-id`, `retry-after` for a throttle the upstream timed, and
    /// `x-should-retry: false` where asking again cannot help.
    public static func response(_ error: GatewayError, requestId: String) -> Response {
        let errorType = type(for: error.kind)
        var headers: HTTPFields = [.contentType: "application/json", requestIdField: requestId]
        if let retryAfter = retryAfterHeader(for: error) { headers[.retryAfter] = retryAfter }
        if error.kind == .quotaExceeded { headers[shouldRetryField] = "false" }
        return response(errorType, message: error.message, headers: headers)
    }

    /// An answer of `type` with `message`, for refusals made before any call exists (authentication).
    public static func response(_ type: AnthropicErrorType, message: String, requestId: String) -> Response {
        response(type, message: message, headers: [.contentType: "application/json", requestIdField: requestId])
    }

    static func response(_ type: AnthropicErrorType, message: String, headers: HTTPFields) -> Response {
        var body = ByteBuffer()
        type.writeBody(message: message, into: &body)
        return Response(status: .init(code: type.status), headers: headers, body: ResponseBody(byteBuffer: body))
    }

    static var requestIdField: HTTPField.Name { HTTPField.Name("request-id")! }
    static var shouldRetryField: HTTPField.Name { HTTPField.Name("x-should-retry")! }

    /// Whole seconds, rounded up so a caller who obeys never comes back early.
    static func retryAfterHeader(for error: GatewayError) -> String? {
        guard let seconds = error.retryAfterSeconds, seconds.isFinite, seconds >= 0 else {
            return error.kind == .throttled ? "1" : nil
        }
        return String(Int(min(seconds, 86_400).rounded(.up)))
    }
}
