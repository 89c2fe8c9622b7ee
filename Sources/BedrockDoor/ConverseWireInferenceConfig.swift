import SwitchyardModel

/// `{"maxTokens", "temperature", "topP", "stopSequences"}` with the ranges the service model declares.
struct ConverseWireInferenceConfig: Decodable {
    let value: InferenceConfig

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        var config = InferenceConfig()
        if let maxTokens = try c.decodeIfPresent(Double.self, forKey: "maxTokens") {
            // Decoded as a number first so that 1.5 or 1e12 get a message about the value, not the type.
            guard maxTokens.rounded() == maxTokens, maxTokens >= 1, maxTokens <= Double(Int32.max) else {
                throw c.failure("maxTokens", "must be an integer between 1 and \(Int32.max)")
            }
            config.maxTokens = Int(maxTokens)
        }
        config.temperature = try Self.unitInterval(c, "temperature")
        config.topP = try Self.unitInterval(c, "topP")
        let stopKey: ConverseWireKey = "stopSequences"
        let stops = try c.decodeIfPresent([String].self, forKey: stopKey) ?? []
        if let i = stops.firstIndex(where: \.isEmpty) {
            throw ConverseDecodingFailure(c.codingPath + [stopKey, ConverseWireKey(index: i)], "must not be empty")
        }
        if stops.count > 2500 { throw c.failure(stopKey, "must contain at most 2500 entries") }
        config.stopSequences = stops
        value = config
    }

    private static func unitInterval(_ c: KeyedDecodingContainer<ConverseWireKey>, _ key: ConverseWireKey) throws -> Double? {
        guard let v = try c.decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard (0...1).contains(v) else { throw c.failure(key, "\(v) is not between 0 and 1") }
        return v
    }
}
