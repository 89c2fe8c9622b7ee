import Foundation

/// Per-model prices keyed `provider/model` (the provider's configured name, e.g. `openai/gpt-4o`,
/// `bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0`), from the file shipped with the gateway, with the config's
/// overrides on top.
public struct PriceTable: Sendable {
    /// The shipped table's version (its date), recorded on every row it priced.
    public let version: String
    let prices: [String: ModelPrice]
    let overrides: [String: ModelPrice]

    /// Recorded on rows priced by a config override rather than the table.
    public static let overrideVersion = "config"

    public init(version: String, prices: [String: ModelPrice], overrides: [String: ModelPrice] = [:]) {
        self.version = version
        self.prices = prices
        self.overrides = overrides
    }

    /// Reads a price file: `{"version": "…", "models": {"provider/model": {entry}, …}}`.
    public init(json data: Data) throws(PricingError) {
        struct File: Decodable {
            var version: String
            var models: [String: PriceEntry]
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw .invalidFile("\(error)")
        }
        guard !file.version.isEmpty else { throw .invalidFile("no version") }
        self.init(version: file.version, prices: try Self.expand(file.models), overrides: [:])
    }

    /// The table shipped with the gateway (`Sources/Pricing/Resources/prices.json`), compiled in
    /// (`BundledPrices`) so the binary needs no resource bundle beside it.
    public static func bundled() throws(PricingError) -> PriceTable {
        try PriceTable(json: Data(BundledPrices.json.utf8))
    }

    /// The same table with these entries (config `pricing.overrides`, keyed `provider/model`) taking precedence.
    public func overriding(_ entries: [String: PriceEntry]) throws(PricingError) -> PriceTable {
        PriceTable(version: version, prices: prices, overrides: try Self.expand(entries))
    }

    /// Each entry under its key and its aliases; a name listed twice is an error, not a silent choice.
    static func expand(_ entries: [String: PriceEntry]) throws(PricingError) -> [String: ModelPrice] {
        var out: [String: ModelPrice] = [:]
        for (key, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let price = try entry.price(model: key)
            for name in [key] + entry.aliases {
                guard out.updateValue(price, forKey: name) == nil else { throw .duplicateModel(name) }
            }
        }
        return out
    }

    /// The price for a provider's model and the version to record with it, or nil when it has none. Tried in
    /// order, overrides before the table at each step: the name as given; a Bedrock ARN's last path segment; without
    /// a cross-region profile prefix (`us.`, `eu.`, `apac.`, `global.`, …); without a trailing date snapshot
    /// (`-20241022`, `-2024-08-06`), so a new snapshot is priced as its family until the table lists it.
    public func lookup(provider: String, model: String) -> (price: ModelPrice, version: String)? {
        // The name as given is the usual hit: tried before the other candidates are worked out.
        let exact = "\(provider)/\(model)"
        if let price = overrides[exact] { return (price, Self.overrideVersion) }
        if let price = prices[exact] { return (price, version) }
        for name in Self.candidates(model).dropFirst() {
            let key = "\(provider)/\(name)"
            if let price = overrides[key] { return (price, Self.overrideVersion) }
            if let price = prices[key] { return (price, version) }
        }
        return nil
    }

    static let profilePrefixes = ["us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca."]

    static func candidates(_ model: String) -> [String] {
        var names = [model]
        var name = model
        if name.hasPrefix("arn:"), let slash = name.lastIndex(of: "/") {
            name = String(name[name.index(after: slash)...])
            names.append(name)
        }
        // Only a prefix in front of a `vendor.model` id is a profile: `us.anthropic.claude-…`, not `us.model`.
        if let prefix = profilePrefixes.first(where: name.hasPrefix), name.dropFirst(prefix.count).contains(".") {
            name = String(name.dropFirst(prefix.count))
            names.append(name)
        }
        if let undated = withoutDateSuffix(name) { names.append(undated) }
        return names
    }

    static func withoutDateSuffix(_ name: String) -> String? {
        let chars = Array(name)
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { chars[$0].isASCII && chars[$0].isNumber } }
        let n = chars.count
        if n > 9, chars[n - 9] == "-", digits(n - 8..<n) { return String(chars[..<(n - 9)]) }
        if n > 11, chars[n - 11] == "-", chars[n - 6] == "-", chars[n - 3] == "-", digits(n - 10..<n - 6),
           digits(n - 5..<n - 3), digits(n - 2..<n) {
            return String(chars[..<(n - 11)])
        }
        return nil
    }
}
