import SwitchyardModel

/// Readers shared by the InvokeModel family decoders; failures carry the member's JSON path like Converse's do.
extension KeyedDecodingContainer where Key == ConverseWireKey {
    /// A member that must be present and not null.
    func require(_ key: ConverseWireKey) throws {
        guard contains(key), try !decodeNil(forKey: key) else { throw failure(key, "required member is missing") }
    }

    /// An optional whole number of at least 1 (token limits); 1.5 or 0 get a message about the value.
    func positiveInt(_ key: ConverseWireKey) throws -> Int? {
        guard let n = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard n.rounded() == n, n >= 1, n <= Double(Int32.max) else {
            throw failure(key, "must be an integer between 1 and \(Int32.max)")
        }
        return Int(n)
    }

    func number(_ key: ConverseWireKey) throws -> Double? {
        try decodeIfPresent(Double.self, forKey: key)
    }

    /// A list of stop sequences; empty entries are refused as AWS does.
    func stopSequences(_ key: ConverseWireKey) throws -> [String] {
        let stops = try decodeIfPresent([String].self, forKey: key) ?? []
        if let i = stops.firstIndex(where: \.isEmpty) {
            throw ConverseDecodingFailure(codingPath + [key, ConverseWireKey(index: i)], "must not be empty")
        }
        return stops
    }

    /// Anthropic's `cache_control: {"type": "ephemeral", "ttl": "5m" | "1h"}`.
    func cacheControl(_ key: ConverseWireKey) throws -> CachePoint? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        let control = try nestedContainer(keyedBy: ConverseWireKey.self, forKey: key)
        return CachePoint(ttl: try control.decodeIfPresent(String.self, forKey: "ttl"))
    }

    /// Extra request fields that only some providers' APIs know, kept for the ones that do.
    func passThrough(_ keys: [ConverseWireKey], into fields: inout [String: JSONValue]) throws {
        for key in keys {
            if let value = try decodeIfPresent(JSONValue.self, forKey: key), value != .null { fields[key.stringValue] = value }
        }
    }
}
