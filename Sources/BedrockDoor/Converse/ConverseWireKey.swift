import Foundation

/// A coding key for any JSON member name or list index, so that wire types can see every member a client
/// sent (unions must carry exactly one) and name the failing one in errors.
struct ConverseWireKey: CodingKey, Hashable, ExpressibleByStringLiteral {
    let stringValue: String
    let intValue: Int?

    init(_ name: String) {
        stringValue = name
        intValue = nil
    }

    init(index: Int) {
        // The same spelling JSONDecoder uses for list positions, so paths render alike.
        stringValue = "Index \(index)"
        intValue = index
    }

    init(stringLiteral value: String) { self.init(value) }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}

extension KeyedDecodingContainer where Key == ConverseWireKey {
    func failure(_ key: ConverseWireKey?, _ message: String) -> ConverseDecodingFailure {
        ConverseDecodingFailure(codingPath + (key.map { [$0] } ?? []), message)
    }

    /// The single member of a union; `what` names the union in the error.
    func unionMember(_ what: String) throws -> ConverseWireKey {
        let keys = allKeys
        guard keys.count == 1, let key = keys.first else {
            let names = keys.map { "'\($0.stringValue)'" }.sorted().joined(separator: ", ")
            throw failure(nil, keys.isEmpty
                ? "\(what) must set exactly one member"
                : "\(what) must set exactly one member, got \(names)")
        }
        return key
    }

    func nonEmptyString(_ key: ConverseWireKey) throws -> String {
        let s = try decode(String.self, forKey: key)
        if s.isEmpty { throw failure(key, "must not be empty") }
        return s
    }

    func base64(_ key: ConverseWireKey) throws -> Data {
        let text = try decode(String.self, forKey: key)
        guard let bytes = Data(base64Encoded: text) else { throw failure(key, "is not valid base64") }
        if bytes.isEmpty { throw failure(key, "must not be empty") }
        return bytes
    }

    /// A string member restricted to `allowed`; the error lists the allowed values like AWS does.
    func oneOf<T>(_ key: ConverseWireKey, _ allowed: [(String, T)]) throws -> T {
        let value = try decode(String.self, forKey: key)
        if let match = allowed.first(where: { $0.0 == value }) { return match.1 }
        throw failure(key, "'\(value)' is not one of \(allowed.map(\.0).joined(separator: ", "))")
    }

    func unsupported(_ key: ConverseWireKey, _ what: String) -> ConverseDecodingFailure {
        failure(key, "\(what) is not supported by the gateway")
    }
}
