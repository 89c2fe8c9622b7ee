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

    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, provider: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
        } catch {
            throw GatewayError(.internalError, "provider '\(provider)' sent an answer the gateway could not read: \(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String, provider: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw GatewayError(.streamFailed, "provider '\(provider)' sent a stream event the gateway could not read: \(error)")
        }
    }

    /// Tool arguments arrive as JSON text; keep them as a document, or as the raw string if they are not JSON.
    static func parseDocument(_ text: String) -> JSONValue {
        if text.isEmpty { return .object([:]) }
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) { return value }
        return .string(text)
    }

    /// Sorted keys, so the same document always gives the same text (tool arguments, tool results).
    static func documentText(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
