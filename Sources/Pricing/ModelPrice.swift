/// One model's prices for one context-size tier. A cache or batch price that is absent falls back as the
/// `CostCalculator` describes; a batch call with no batch price at all is unpriced.
public struct PriceTier: Sendable, Hashable {
    public var input: TokenPrice
    public var output: TokenPrice
    public var cacheRead: TokenPrice?
    public var cacheWrite: TokenPrice?
    public var batchInput: TokenPrice?
    public var batchOutput: TokenPrice?
    public var batchCacheRead: TokenPrice?
    public var batchCacheWrite: TokenPrice?

    public init(
        input: TokenPrice, output: TokenPrice, cacheRead: TokenPrice? = nil, cacheWrite: TokenPrice? = nil,
        batchInput: TokenPrice? = nil, batchOutput: TokenPrice? = nil, batchCacheRead: TokenPrice? = nil,
        batchCacheWrite: TokenPrice? = nil
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
}

public struct ModelPrice: Sendable, Hashable {
    public var standard: PriceTier
    /// Used for every token type of a request whose input (cached included) exceeds 200 000 tokens.
    public var above200k: PriceTier?
    /// The longest answer the model can give, when the table knows it.
    public var maxOutputTokens: Int?

    public init(standard: PriceTier, above200k: PriceTier? = nil, maxOutputTokens: Int? = nil) {
        self.standard = standard
        self.above200k = above200k
        self.maxOutputTokens = maxOutputTokens
    }

    public static let longContextThreshold = 200_000
}
