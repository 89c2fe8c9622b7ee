import Foundation
import SwitchyardModel

/// One line of a `.out` file in Bedrock's output form, whichever form the input used.
public enum BatchOutputLine {
    public static func success(recordId: String, modelInput: JSONValue, modelOutput: Data) -> String {
        "{\"recordId\":\(BatchJSON.quoted(recordId)),\"modelInput\":\(BatchJSON.text(modelInput)),\"modelOutput\":"
            + String(decoding: modelOutput, as: UTF8.self) + "}"
    }

    public static func failure(recordId: String, modelInput: JSONValue, code: Int, message: String) -> String {
        "{\"recordId\":\(BatchJSON.quoted(recordId)),\"modelInput\":\(BatchJSON.text(modelInput)),\"error\":{\"errorCode\":\(code),"
            + "\"errorMessage\":\(BatchJSON.quoted(message))}}"
    }

    /// The HTTP status Bedrock reports for a failed record, from the canonical error.
    public static func code(for error: GatewayError) -> Int {
        if let status = error.upstreamStatus, (400..<600).contains(status) { return status }
        switch error.kind {
        case .validation, .payloadTooLarge, .quotaExceeded: return 400
        case .accessDenied: return 403
        case .notFound: return 404
        case .timeout: return 408
        case .throttled: return 429
        case .unavailable: return 503
        case .internalError, .streamFailed: return 500
        case .badUpstreamAnswer: return 502
        }
    }
}
