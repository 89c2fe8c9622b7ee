import Foundation
import SwitchyardModel

/// A coding key for any member name or list index, so the decoders can name the failing member of a body.
struct AnthropicWireKey: CodingKey, Hashable, ExpressibleByStringLiteral {
    let stringValue: String
    let intValue: Int?

    init(_ name: String) {
        stringValue = name
        intValue = nil
    }

    init(index: Int) {
        // JSONDecoder's own spelling of list positions, so its paths and ours render alike.
        stringValue = "Index \(index)"
        intValue = index
    }

    init(stringLiteral value: String) { self.init(value) }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}

extension KeyedDecodingContainer where Key == AnthropicWireKey {
    func failure(_ key: AnthropicWireKey?, _ message: String) -> AnthropicDecodingFailure {
        AnthropicDecodingFailure(codingPath + (key.map { [$0] } ?? []), message)
    }

    func unsupported(_ key: AnthropicWireKey, _ what: String) -> AnthropicDecodingFailure {
        failure(key, "\(what) is not supported by the gateway")
    }

    /// A member that must be present and not null.
    func require(_ key: AnthropicWireKey) throws {
        guard contains(key), try !decodeNil(forKey: key) else { throw failure(key, "required member is missing") }
    }

    func nonEmptyString(_ key: AnthropicWireKey) throws -> String {
        let s = try decode(String.self, forKey: key)
        if s.isEmpty { throw failure(key, "must not be empty") }
        return s
    }

    func base64(_ key: AnthropicWireKey) throws -> Data {
        let text = try decode(String.self, forKey: key)
        guard let bytes = Data(base64Encoded: text) else { throw failure(key, "is not valid base64") }
        if bytes.isEmpty { throw failure(key, "must not be empty") }
        return bytes
    }

    func oneOf<T>(_ key: AnthropicWireKey, _ allowed: [(String, T)]) throws -> T {
        let value = try decode(String.self, forKey: key)
        if let match = allowed.first(where: { $0.0 == value }) { return match.1 }
        throw failure(key, "'\(value)' is not one of \(allowed.map(\.0).joined(separator: ", "))")
    }

    /// An optional whole number of at least 1 (token limits).
    func positiveInt(_ key: AnthropicWireKey) throws -> Int? {
        guard let n = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard n.rounded() == n, n >= 1, n <= Double(Int32.max) else {
            throw failure(key, "must be an integer between 1 and \(Int32.max)")
        }
        return Int(n)
    }

    func stopSequences(_ key: AnthropicWireKey) throws -> [String] {
        let stops = try decodeIfPresent([String].self, forKey: key) ?? []
        if let i = stops.firstIndex(where: \.isEmpty) {
            throw AnthropicDecodingFailure(codingPath + [key, AnthropicWireKey(index: i)], "must not be empty")
        }
        return stops
    }

    /// `cache_control: {"type": "ephemeral", "ttl": "5m" | "1h"}`.
    func cacheControl(_ key: AnthropicWireKey) throws -> CachePoint? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        let control = try nestedContainer(keyedBy: AnthropicWireKey.self, forKey: key)
        return CachePoint(ttl: try control.decodeIfPresent(String.self, forKey: "ttl"))
    }

    /// Members only Anthropic's API knows, kept as extra fields for the providers that take them.
    func passThrough(_ keys: [AnthropicWireKey], into fields: inout [String: JSONValue]) throws {
        for key in keys {
            if let value = try decodeIfPresent(JSONValue.self, forKey: key), value != .null { fields[key.stringValue] = value }
        }
    }
}
