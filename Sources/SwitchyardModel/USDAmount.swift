/// An amount of US dollars as a whole number of nano-dollars (10⁻⁹ USD): exact to add and compare, unlike a Double,
/// and wide enough (±9.2 billion USD) for any sum the request log is asked for.
public struct USDAmount: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public static let nanosPerDollar: Int64 = 1_000_000_000
    public static let zero = USDAmount(nanos: 0)

    public var nanos: Int64

    public init(nanos: Int64) {
        self.nanos = nanos
    }

    /// Parses a plain decimal such as `"0.000012345"` or `"-3"`; nil for anything else, or for more than nine
    /// decimals, which a nano-dollar cannot hold without rounding.
    public init?(_ text: String) {
        guard let nanos = FixedPointDecimal.parse(text, scale: 9) else { return nil }
        self.nanos = nanos
    }

    /// Exact decimal text with nine decimals at most and no trailing zeros: `"0.0000125"`, `"3"`.
    public var description: String {
        FixedPointDecimal.format(nanos, scale: 9)
    }

    public static func < (lhs: USDAmount, rhs: USDAmount) -> Bool { lhs.nanos < rhs.nanos }

    public static func + (lhs: USDAmount, rhs: USDAmount) -> USDAmount { USDAmount(nanos: lhs.nanos + rhs.nanos) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let amount = USDAmount(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a USD amount: \(text)")
        }
        self = amount
    }

    /// Encoded as decimal text, so no JSON reader turns it into a binary float on the way.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Decimal text ⇄ an integer count of 10⁻ˢᶜᵃˡᵉ units, without going through a binary float.
public enum FixedPointDecimal {
    public static func parse(_ text: String, scale: Int) -> Int64? {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty || parts.count == 2 else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty), fraction.count <= scale,
              whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit)
        else { return nil }
        var value: Int64 = 0
        for digit in String(whole) + String(fraction) + String(repeating: "0", count: scale - fraction.count) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times.addingReportingOverflow(Int64(digit.asciiValue! - 48))
            if overflow1 || overflow2 { return nil }
            value = plus
        }
        return negative ? -value : value
    }

    public static func format(_ value: Int64, scale: Int) -> String {
        let magnitude = value.magnitude
        var unit: UInt64 = 1
        for _ in 0..<scale { unit *= 10 }
        let whole = magnitude / unit
        var fraction = String(magnitude % unit)
        fraction = String(repeating: "0", count: scale - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        let sign = value < 0 ? "-" : ""
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
