import Foundation
import NIOCore
import SwitchyardModel

/// `POST /v1/batches`, read and checked as OpenAI checks it: the refusals are 400s naming the parameter.
public struct OpenAIBatchRequest: Sendable, Hashable {
    public var inputFileId: String
    public var endpoint: String
    public var completionWindow: String
    public var metadata: [String: String]?

    /// The endpoints whose lines the gateway runs: the ones the OpenAI door serves.
    public static let endpoints = ["/v1/chat/completions", "/v1/embeddings"]
    public static let completionWindows = ["24h"]

    public init(inputFileId: String, endpoint: String, completionWindow: String, metadata: [String: String]? = nil) {
        self.inputFileId = inputFileId
        self.endpoint = endpoint
        self.completionWindow = completionWindow
        self.metadata = metadata
    }

    public static func read(_ body: ByteBuffer) throws(OpenAIError) -> OpenAIBatchRequest {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView)), let members = value.objectValue else {
            throw invalid(nil, "The request body must be a JSON object.")
        }
        let inputFileId = try required(members, "input_file_id")
        let endpoint = try required(members, "endpoint")
        guard endpoints.contains(endpoint) else {
            throw invalid("endpoint", "Invalid value: '\(endpoint)'. Supported values are: \(endpoints.map { "'\($0)'" }.joined(separator: ", ")).")
        }
        let window = try required(members, "completion_window")
        guard completionWindows.contains(window) else {
            throw invalid("completion_window", "Invalid value: '\(window)'. Supported values are: '24h'.")
        }
        return OpenAIBatchRequest(inputFileId: inputFileId, endpoint: endpoint, completionWindow: window, metadata: try metadata(members["metadata"]))
    }

    /// OpenAI's metadata rules: at most 16 pairs, keys up to 64 characters, string values up to 512.
    static func metadata(_ value: JSONValue?) throws(OpenAIError) -> [String: String]? {
        guard let value, value != .null else { return nil }
        guard let members = value.objectValue else { throw invalid("metadata", "metadata must be an object of strings.") }
        guard members.count <= 16 else { throw invalid("metadata", "metadata may hold at most 16 pairs; it has \(members.count).") }
        var out: [String: String] = [:]
        for (key, entry) in members {
            guard let text = entry.stringValue else { throw invalid("metadata.\(key)", "metadata values must be strings.") }
            guard key.count <= 64 else { throw invalid("metadata", "metadata keys may be at most 64 characters long.") }
            guard text.count <= 512 else { throw invalid("metadata.\(key)", "metadata values may be at most 512 characters long.") }
            out[key] = text
        }
        return out
    }

    static func required(_ members: [String: JSONValue], _ name: String) throws(OpenAIError) -> String {
        guard let value = members[name] else { throw invalid(name, "Missing required parameter: '\(name)'.") }
        guard let text = value.stringValue, !text.isEmpty else { throw invalid(name, "'\(name)' must be a non-empty string.") }
        return text
    }

    static func invalid(_ param: String?, _ message: String) -> OpenAIError {
        OpenAIError(status: 400, type: "invalid_request_error", code: param == nil ? nil : "invalid_value", param: param, message: message)
    }
}
