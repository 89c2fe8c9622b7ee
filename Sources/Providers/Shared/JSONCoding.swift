import Foundation
import NIOCore
import SwitchyardModel

enum JSONCoding {
    static func encode(_ value: JSONValue) -> ByteBuffer {
        JSONValueWriter.buffer(value)
    }

    static func encode<T: Encodable>(_ value: T) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return ByteBuffer(bytes: try encoder.encode(value))
    }

    /// An answer that does not decode is the upstream's fault and would decode no better a second time, so it is
    /// not retryable.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, provider: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw GatewayError(.badUpstreamAnswer, "provider '\(provider)' sent \(unreadable(error, what: "an answer"))")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String, provider: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw GatewayError(.streamFailed, "provider '\(provider)' sent \(unreadable(error, what: "a stream event"))")
        }
    }

    /// "an answer that is not valid JSON", "an answer without `choices`": what was wrong, without the decoder's
    /// debug descriptions.
    static func unreadable(_ error: DecodingError, what: String) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "\(what) that is not valid JSON"
        case .keyNotFound(let key, let context):
            return "\(what) without `\(path(context.codingPath + [key]))`"
        case .typeMismatch(_, let context) where context.codingPath.isEmpty,
            .valueNotFound(_, let context) where context.codingPath.isEmpty:
            return "\(what) that is not a JSON object"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(what) with an unexpected value at `\(path(context.codingPath))`"
        @unknown default:
            return "\(what) the gateway could not read"
        }
    }

    /// Tool arguments arrive as JSON text; keep them as a document, or as the raw string if they are not JSON.
    static func parseDocument(_ text: String) -> JSONValue {
        if text.isEmpty { return .object([:]) }
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) { return value }
        return .string(text)
    }

    /// Sorted keys, so the same document always gives the same text (tool arguments, tool results).
    static func documentText(_ value: JSONValue) -> String { value.documentText }
}
