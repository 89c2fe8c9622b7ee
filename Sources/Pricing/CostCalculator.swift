import SwitchyardModel

public enum PricingMode: Sendable, Hashable {
    case standard
    /// Batch records, native or run by the gateway: the table's batch prices.
    case batch
}

public enum UnpricedReason: String, Sendable, Hashable {
    case unknownModel = "unknown_model"
    case noBatchPrice = "no_batch_price"
    /// Negative token counts, or a cost past what 64 bits of nano-dollars hold.
    case invalidUsage = "invalid_usage"
}

public enum CostResult: Sendable, Hashable {
    case priced(USDAmount, priceVersion: String)
    case unpriced(UnpricedReason)

    /// Nil when unpriced: the log stores NULL, never 0.
    public var amount: USDAmount? {
        if case .priced(let amount, _) = self { return amount }
        return nil
    }

    public var priceVersion: String? {
        if case .priced(_, let version) = self { return version }
        return nil
    }
}

/// Cost of one call (gateway-features.md §2.5): with `in_total = uncached + cache_read + cache_write`,
/// `cost = uncached·p_in + cache_read·p_cache_read + cache_write·p_cache_write + out·p_out`, every price from the
/// long-context tier when `in_total` exceeds 200 000 and the model has one. Exact integer math in pico-dollars,
/// rounded half up to a nano-dollar once, at the end.
public struct CostCalculator: Sendable {
    public let table: PriceTable

    public init(table: PriceTable) {
        self.table = table
    }

    /// `usage` is canonical: `inputTokens` excludes cached tokens (see `Usage.normalized`). A cache price the model
    /// lacks is its input price (the provider then bills those tokens as plain input); in batch mode the batch
    /// input price, and a batch cache price falls back to the standard cache price.
    public func cost(provider: String, model: String, usage: Usage, mode: PricingMode = .standard) -> CostResult {
        guard let (price, version) = table.lookup(provider: provider, model: model) else { return .unpriced(.unknownModel) }
        return Self.cost(price, version: version, usage: usage, mode: mode)
    }

    /// The same, on a price already looked up (a budget's worst case prices two usages of one call). No arrays:
    /// this runs for every call a budget governs.
    public static func cost(_ price: ModelPrice, version: String, usage: Usage, mode: PricingMode = .standard) -> CostResult {
        guard usage.inputTokens >= 0, usage.cacheReadTokens >= 0, usage.cacheWriteTokens >= 0, usage.outputTokens >= 0 else {
            return .unpriced(.invalidUsage)
        }
        let totalInput = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens
        let tier = (totalInput > ModelPrice.longContextThreshold ? price.above200k : nil) ?? price.standard

        let input: TokenPrice, cacheRead: TokenPrice, cacheWrite: TokenPrice, output: TokenPrice
        switch mode {
        case .standard:
            (input, cacheRead, cacheWrite, output) = (tier.input, tier.cacheRead ?? tier.input, tier.cacheWrite ?? tier.input, tier.output)
        case .batch:
            guard let batchInput = tier.batchInput, let batchOutput = tier.batchOutput else { return .unpriced(.noBatchPrice) }
            input = batchInput
            cacheRead = tier.batchCacheRead ?? tier.cacheRead ?? batchInput
            cacheWrite = tier.batchCacheWrite ?? tier.cacheWrite ?? batchInput
            output = batchOutput
        }
        var pico: Int64 = 0
        func add(_ tokens: Int, _ rate: TokenPrice) -> Bool {
            let (term, overflowed) = Int64(tokens).multipliedReportingOverflow(by: rate.picoUSDPerToken)
            let (sum, overflowedSum) = pico.addingReportingOverflow(term)
            guard !overflowed, !overflowedSum, sum <= Int64.max - 500 else { return false }
            pico = sum
            return true
        }
        guard add(usage.inputTokens, input), add(usage.cacheReadTokens, cacheRead), add(usage.cacheWriteTokens, cacheWrite),
            add(usage.outputTokens, output)
        else { return .unpriced(.invalidUsage) }
        return .priced(USDAmount(nanos: (pico + 500) / 1000), priceVersion: version)
    }
}
