import Foundation

/// A coding key for any JSON member name or list index, so that the dialects' wire types can see every member a
/// client sent (unions must carry exactly one) and name the failing one in errors.
public struct WireKey: CodingKey, Hashable, Sendable, ExpressibleByStringLiteral {
    public let stringValue: String
    public let intValue: Int?

    public init(_ name: String) {
        stringValue = name
        intValue = nil
    }

    public init(index: Int) {
        // JSONDecoder's own spelling of list positions, so its paths and ours render alike.
        stringValue = "Index \(index)"
        intValue = index
    }

    public init(stringLiteral value: String) { self.init(value) }
    public init?(stringValue: String) { self.init(stringValue) }
    public init?(intValue: Int) { self.init(index: intValue) }
}

/// A body member a dialect's decoder refuses, with the JSON path where it was found.
public struct WireDecodingFailure: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(_ path: [any CodingKey], _ message: String) {
        self.path = Self.render(path)
        self.message = message
    }

    /// `messages[1].content[0].image.format: 'bmp' is not one of …`
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    public static func render(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") {
                out += "[\(index)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out
    }

    /// What JSONDecoder found wrong, in the same form; `request` names the body for the errors without a path
    /// ("a valid Converse request").
    public static func describe(_ error: DecodingError, request: String) -> String {
        func at(_ path: [any CodingKey], _ message: String) -> String { WireDecodingFailure(path, message).description }
        switch error {
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return "the request body must be a JSON object" }
            return at(context.codingPath, "expected \(article(for: type))")
        case .valueNotFound(let type, let context):
            return at(context.codingPath, "expected \(article(for: type)), got null")
        case .keyNotFound(let key, let context):
            return at(context.codingPath + [key], "required member is missing")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the request body is not valid JSON" }
            return at(context.codingPath, "invalid value")
        @unknown default:
            return "the request body is not \(request)"
        }
    }

    private static func article(for type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Bool.self { return "a boolean" }
        if type == Int.self || type == Int32.self || type == Int64.self { return "an integer" }
        if type == Double.self || type == Float.self { return "a number" }
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") || (name.hasPrefix("[") && name.contains(":")) { return "an object" }
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "a list" }
        return "an object"
    }
}

/// The member readers the dialects' decoders share; every failure carries the member's JSON path.
extension KeyedDecodingContainer where Key == WireKey {
    public func failure(_ key: WireKey?, _ message: String) -> WireDecodingFailure {
        WireDecodingFailure(codingPath + (key.map { [$0] } ?? []), message)
    }

    public func unsupported(_ key: WireKey, _ what: String) -> WireDecodingFailure {
        failure(key, "\(what) is not supported by the gateway")
    }

    /// The single member of a union; `what` names the union in the error.
    public func unionMember(_ what: String) throws -> WireKey {
        let keys = allKeys
        guard keys.count == 1, let key = keys.first else {
            let names = keys.map { "'\($0.stringValue)'" }.sorted().joined(separator: ", ")
            throw failure(nil, keys.isEmpty
                ? "\(what) must set exactly one member"
                : "\(what) must set exactly one member, got \(names)")
        }
        return key
    }

    /// A member that must be present and not null.
    public func require(_ key: WireKey) throws {
        guard contains(key), try !decodeNil(forKey: key) else { throw failure(key, "required member is missing") }
    }

    public func nonEmptyString(_ key: WireKey) throws -> String {
        let s = try decode(String.self, forKey: key)
        if s.isEmpty { throw failure(key, "must not be empty") }
        return s
    }

    public func base64(_ key: WireKey) throws -> Data {
        let text = try decode(String.self, forKey: key)
        guard let bytes = Data(base64Encoded: text) else { throw failure(key, "is not valid base64") }
        if bytes.isEmpty { throw failure(key, "must not be empty") }
        return bytes
    }

    /// A string member restricted to `allowed`; the error lists the allowed values like AWS does.
    public func oneOf<T>(_ key: WireKey, _ allowed: [(String, T)]) throws -> T {
        let value = try decode(String.self, forKey: key)
        if let match = allowed.first(where: { $0.0 == value }) { return match.1 }
        throw failure(key, "'\(value)' is not one of \(allowed.map(\.0).joined(separator: ", "))")
    }

    /// An optional whole number of at least 1 (token limits); 1.5 or 0 get a message about the value.
    public func positiveInt(_ key: WireKey) throws -> Int? {
        guard let n = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard n.rounded() == n, n >= 1, n <= Double(Int32.max) else {
            throw failure(key, "must be an integer between 1 and \(Int32.max)")
        }
        return Int(n)
    }

    public func number(_ key: WireKey) throws -> Double? {
        try decodeIfPresent(Double.self, forKey: key)
    }

    /// A list of stop sequences; empty entries are refused as AWS and Anthropic do.
    public func stopSequences(_ key: WireKey) throws -> [String] {
        let stops = try decodeIfPresent([String].self, forKey: key) ?? []
        if let i = stops.firstIndex(where: \.isEmpty) {
            throw WireDecodingFailure(codingPath + [key, WireKey(index: i)], "must not be empty")
        }
        return stops
    }

    /// Anthropic's `cache_control: {"type": "ephemeral", "ttl": "5m" | "1h"}`.
    public func cacheControl(_ key: WireKey) throws -> CachePoint? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        let control = try nestedContainer(keyedBy: WireKey.self, forKey: key)
        return CachePoint(ttl: try control.decodeIfPresent(String.self, forKey: "ttl"))
    }

    /// Extra request fields that only some providers' APIs know, kept for the ones that do.
    public func passThrough(_ keys: [WireKey], into fields: inout [String: JSONValue]) throws {
        for key in keys {
            if let value = try decodeIfPresent(JSONValue.self, forKey: key), value != .null { fields[key.stringValue] = value }
        }
    }
}

/// Gives a stream's content blocks the dialect's own indexes: 0, 1, 2… in the order blocks first appear, whatever
/// the canonical indexes were, and remembers which are open so that each block starts and stops exactly once.
public struct StreamBlockIndexer: Sendable {
    private var assigned: [Int: Int] = [:]
    private var open: [Int] = []
    private var next = 0

    public init() {}

    /// A new index for a block not seen before; nil when it already started (or ended).
    public mutating func start(_ canonical: Int) -> Int? {
        guard assigned[canonical] == nil else { return nil }
        let index = next
        next += 1
        assigned[canonical] = index
        open.append(canonical)
        return index
    }

    /// The index of an open block.
    public func openIndex(_ canonical: Int) -> Int? {
        open.contains(canonical) ? assigned[canonical] : nil
    }

    /// Closes an open block and gives its index; nil when it was not open.
    public mutating func stop(_ canonical: Int) -> Int? {
        guard let at = open.firstIndex(of: canonical) else { return nil }
        open.remove(at: at)
        return assigned[canonical]
    }

    /// Closes every open block, in the order they opened.
    public mutating func stopAll() -> [Int] {
        let indexes = open.compactMap { assigned[$0] }
        open.removeAll()
        return indexes
    }
}
