/// A model's prices as written in the price file or in a config override, in USD per million tokens. Prices are
/// decimal text (`"0.075"`) or whole numbers, never JSON fractions, so nothing passes through a binary float.
public struct PriceEntry: Sendable, Hashable, Decodable {
    /// The prices up to 200 000 input tokens, written at the top level of the entry.
    public var prices: Prices
    /// Other names of the same model (`provider/model`), e.g. its dated snapshot.
    public var aliases: [String]
    /// Prices for every token of a request with more than 200 000 input tokens.
    public var above200k: Prices?
    /// The most output tokens one answer can have (`max_output_tokens`): a budget's worst case for a request that
    /// names no cap.
    public var maxOutputTokens: Int?

    public struct Prices: Sendable, Hashable, Decodable {
        public var input: String
        public var output: String
        public var cacheRead: String?
        public var cacheWrite: String?
        public var batchInput: String?
        public var batchOutput: String?
        public var batchCacheRead: String?
        public var batchCacheWrite: String?

        public init(
            input: String, output: String, cacheRead: String? = nil, cacheWrite: String? = nil,
            batchInput: String? = nil, batchOutput: String? = nil, batchCacheRead: String? = nil,
            batchCacheWrite: String? = nil
        ) {
            self.input = input
            self.output = output
            self.cacheRead = cacheRead
            self.cacheWrite = cacheWrite
            self.batchInput = batchInput
            self.batchOutput = batchOutput
            self.batchCacheRead = batchCacheRead
            self.batchCacheWrite = batchCacheWrite
        }

        enum CodingKeys: String, CodingKey {
            case input, output
            case cacheRead = "cache_read", cacheWrite = "cache_write"
            case batchInput = "batch_input", batchOutput = "batch_output"
            case batchCacheRead = "batch_cache_read", batchCacheWrite = "batch_cache_write"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            input = try c.decodePrice(.input)
            output = try c.decodePrice(.output)
            cacheRead = try c.decodePriceIfPresent(.cacheRead)
            cacheWrite = try c.decodePriceIfPresent(.cacheWrite)
            batchInput = try c.decodePriceIfPresent(.batchInput)
            batchOutput = try c.decodePriceIfPresent(.batchOutput)
            batchCacheRead = try c.decodePriceIfPresent(.batchCacheRead)
            batchCacheWrite = try c.decodePriceIfPresent(.batchCacheWrite)
        }

        func tier(model: String) throws(PricingError) -> PriceTier {
            func parse(_ field: String, _ text: String) throws(PricingError) -> TokenPrice {
                guard let price = TokenPrice(perMillion: text) else {
                    throw .invalidPrice(model: model, field: field, text: text)
                }
                return price
            }
            func parse(_ field: String, _ text: String?) throws(PricingError) -> TokenPrice? {
                guard let text else { return nil }
                return try parse(field, text) as TokenPrice
            }
            return PriceTier(
                input: try parse("input", input), output: try parse("output", output),
                cacheRead: try parse("cache_read", cacheRead), cacheWrite: try parse("cache_write", cacheWrite),
                batchInput: try parse("batch_input", batchInput), batchOutput: try parse("batch_output", batchOutput),
                batchCacheRead: try parse("batch_cache_read", batchCacheRead),
                batchCacheWrite: try parse("batch_cache_write", batchCacheWrite))
        }
    }

    public init(prices: Prices, aliases: [String] = [], above200k: Prices? = nil, maxOutputTokens: Int? = nil) {
        self.prices = prices
        self.aliases = aliases
        self.above200k = above200k
        self.maxOutputTokens = maxOutputTokens
    }

    enum CodingKeys: String, CodingKey {
        case aliases
        case above200k = "above_200k"
        case maxOutputTokens = "max_output_tokens"
    }

    public init(from decoder: any Decoder) throws {
        prices = try Prices(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        aliases = try c.decodeIfPresent([String].self, forKey: .aliases) ?? []
        above200k = try c.decodeIfPresent(Prices.self, forKey: .above200k)
        maxOutputTokens = try c.decodeIfPresent(Int.self, forKey: .maxOutputTokens)
        if let limit = maxOutputTokens, limit < 0 {
            throw DecodingError.dataCorruptedError(
                forKey: .maxOutputTokens, in: c, debugDescription: "max_output_tokens cannot be negative")
        }
    }

    /// The entry as prices; `model` names it in an error.
    public func price(model: String) throws(PricingError) -> ModelPrice {
        ModelPrice(
            standard: try prices.tier(model: model),
            above200k: try above200k.map { (long: Prices) throws(PricingError) in try long.tier(model: model + " above_200k") },
            maxOutputTokens: maxOutputTokens)
    }
}

extension KeyedDecodingContainer {
    /// Decimal text, or a whole number (exact in any reader); a JSON fraction is refused rather than rounded.
    fileprivate func decodePrice(_ key: Key) throws -> String {
        if let text = try? decode(String.self, forKey: key) { return text }
        if let whole = try? decode(Int64.self, forKey: key) { return String(whole) }
        throw DecodingError.dataCorruptedError(
            forKey: key, in: self, debugDescription: "a price is decimal text such as \"0.075\" (USD per million tokens)")
    }

    fileprivate func decodePriceIfPresent(_ key: Key) throws -> String? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodePrice(key)
    }
}
