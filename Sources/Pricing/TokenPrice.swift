import SwitchyardModel

/// A price per token in whole pico-dollars (10⁻¹² USD), which is exactly "USD per million tokens" with six
/// decimals: 1.25 USD per million is 1 250 000. Tokens × price is then an exact integer, no float anywhere.
public struct TokenPrice: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var picoUSDPerToken: Int64

    public init(picoUSDPerToken: Int64) {
        self.picoUSDPerToken = picoUSDPerToken
    }

    /// `"2.50"` (USD per million tokens); nil for negative prices, non-decimal text or more than six decimals.
    public init?(perMillion text: String) {
        guard let value = FixedPointDecimal.parse(text, scale: 6), value >= 0 else { return nil }
        picoUSDPerToken = value
    }

    /// USD per million tokens as decimal text.
    public var description: String { FixedPointDecimal.format(picoUSDPerToken, scale: 6) }

    public static func < (lhs: TokenPrice, rhs: TokenPrice) -> Bool { lhs.picoUSDPerToken < rhs.picoUSDPerToken }
}
