import Foundation
import SwitchyardModel
import Testing

@testable import Pricing

@Suite struct CostCalculatorTests {
    let calculator: CostCalculator

    init() throws {
        calculator = CostCalculator(table: try PriceTable.bundled())
    }

    func nanos(_ result: CostResult) -> Int64? { result.amount?.nanos }

    @Test func cachedTokensArePricedAtTheirOwnRates() {
        // claude-sonnet-4-5: 3 in, 0.30 cache read, 3.75 cache write, 15 out (USD per million).
        let usage = Usage.anthropic(inputTokens: 1000, cacheReadInputTokens: 10_000, cacheCreationInputTokens: 2000, outputTokens: 500)
        let result = calculator.cost(provider: "anthropic", model: "claude-sonnet-4-5", usage: usage)
        // 1000·3 + 10000·0.30 + 2000·3.75 + 500·15 = 21 000 µUSD
        #expect(result == .priced(USDAmount(nanos: 21_000_000), priceVersion: "2025-12-01"))
    }

    @Test func openAIPromptTokensIncludeTheCachedOnes() {
        // gpt-4o: 2.50 in, 1.25 cached, 10 out. 2000 prompt tokens of which 1500 cached.
        let usage = Usage.openAI(promptTokens: 2000, cachedTokens: 1500, completionTokens: 100)
        #expect(usage == Usage(inputTokens: 500, outputTokens: 100, cacheReadTokens: 1500))
        // 500·2.50 + 1500·1.25 + 100·10 = 4125 µUSD
        #expect(nanos(calculator.cost(provider: "openai", model: "gpt-4o", usage: usage)) == 4_125_000)
    }

    @Test func geminiCountsThoughtsAsOutputAndUsesTheLongContextTierAbove200k() {
        let long = Usage.gemini(promptTokenCount: 250_000, cachedContentTokenCount: 50_000, candidatesTokenCount: 600, thoughtsTokenCount: 400)
        #expect(long == Usage(inputTokens: 200_000, outputTokens: 1000, cacheReadTokens: 50_000))
        // Every type at the >200k prices: 200000·2.50 + 50000·0.25 + 1000·15 = 527 500 µUSD
        #expect(nanos(calculator.cost(provider: "gemini", model: "gemini-2.5-pro", usage: long)) == 527_500_000)
        // Exactly 200 000 is not above it: 200000·1.25 + 1000·10 = 260 000 µUSD
        let edge = Usage.gemini(promptTokenCount: 200_000, cachedContentTokenCount: 0, candidatesTokenCount: 1000, thoughtsTokenCount: 0)
        #expect(nanos(calculator.cost(provider: "gemini", model: "gemini-2.5-pro", usage: edge)) == 260_000_000)
        // The threshold counts cached input too: 150 000 uncached + 60 000 read is above it.
        let mixed = Usage(inputTokens: 150_000, outputTokens: 0, cacheReadTokens: 60_000)
        #expect(nanos(calculator.cost(provider: "gemini", model: "gemini-2.5-pro", usage: mixed)) == 390_000_000)  // 150000·2.50 + 60000·0.25
    }

    @Test func batchRecordsUseBatchPrices() {
        // 200 000 input tokens in all: not above the long-context threshold.
        let usage = Usage(inputTokens: 100_000, outputTokens: 100_000, cacheReadTokens: 100_000)
        // Anthropic halves every price in a batch, caching included: 0.15 + 0.75 + 0.015 instead of 0.30 + 1.50 + 0.03.
        #expect(nanos(calculator.cost(provider: "anthropic", model: "claude-sonnet-4-5", usage: usage, mode: .batch)) == 915_000_000)
        #expect(nanos(calculator.cost(provider: "anthropic", model: "claude-sonnet-4-5", usage: usage)) == 1_830_000_000)
        // No batch cache price: the standard cache price (gpt-4o: 0.125 + 0.50 + 0.125).
        #expect(nanos(calculator.cost(provider: "openai", model: "gpt-4o", usage: usage, mode: .batch)) == 750_000_000)
        // No batch price at all: unpriced, not the on-demand price.
        let titan = calculator.cost(provider: "bedrock", model: "amazon.titan-text-express-v1", usage: usage, mode: .batch)
        #expect(titan == .unpriced(.noBatchPrice))
        #expect(titan.amount == nil)
    }

    @Test func anUnpricedModelHasNoCost() {
        let usage = Usage(inputTokens: 10, outputTokens: 10)
        let result = calculator.cost(provider: "ollama", model: "llama3.2:1b", usage: usage)
        #expect(result == .unpriced(.unknownModel))
        #expect(result.amount == nil)
        #expect(result.priceVersion == nil)
        // A known model under a provider the table does not price is unpriced too: prices follow the provider.
        #expect(calculator.cost(provider: "groq", model: "gpt-4o", usage: usage) == .unpriced(.unknownModel))
    }

    @Test func roundsOnceHalfUpToTheNanoDollar() {
        // gpt-4.1-nano cache read 0.025/M: 25 nano-dollars a token, exact.
        #expect(nanos(calculator.cost(provider: "openai", model: "gpt-4.1-nano", usage: Usage(cacheReadTokens: 1))) == 25)
        // nova-micro cache read 0.00875/M: 8.75 → 9; four tokens are 35 exactly, not 4 × 9.
        #expect(nanos(calculator.cost(provider: "bedrock", model: "amazon.nova-micro-v1:0", usage: Usage(cacheReadTokens: 1))) == 9)
        #expect(nanos(calculator.cost(provider: "bedrock", model: "amazon.nova-micro-v1:0", usage: Usage(cacheReadTokens: 4))) == 35)
        // gemini-2.0-flash-lite batch input 0.0375/M: 37.5 → 38.
        #expect(nanos(calculator.cost(provider: "gemini", model: "gemini-2.0-flash-lite", usage: Usage(inputTokens: 1), mode: .batch)) == 38)
        #expect(nanos(calculator.cost(provider: "openai", model: "gpt-4o", usage: Usage())) == 0)
    }

    @Test func impossibleUsageIsUnpricedNotWrapped() {
        #expect(calculator.cost(provider: "openai", model: "o1", usage: Usage(inputTokens: -1)) == .unpriced(.invalidUsage))
        #expect(calculator.cost(provider: "openai", model: "o1", usage: Usage(outputTokens: Int.max)) == .unpriced(.invalidUsage))
    }

    @Test func bedrockIdsArePricedThroughProfilesAndARNs() {
        let usage = Usage(inputTokens: 1_000_000)
        for model in [
            "anthropic.claude-haiku-4-5-20251001-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0",
        ] {
            #expect(nanos(calculator.cost(provider: "bedrock", model: model, usage: usage)) == 1_000_000_000, "\(model)")
        }
        // An application inference profile's opaque id says nothing about the model.
        #expect(calculator.cost(provider: "bedrock", model: "arn:aws:bedrock:us-east-1:1:application-inference-profile/abc123", usage: usage) == .unpriced(.unknownModel))
    }

    @Test func datedSnapshotsFallBackToTheirFamilyUnlessListed() {
        let usage = Usage(inputTokens: 100_000)
        #expect(nanos(calculator.cost(provider: "openai", model: "gpt-4o-2024-08-06", usage: usage)) == 250_000_000)
        #expect(nanos(calculator.cost(provider: "openai", model: "gpt-4o-2024-05-13", usage: usage)) == 500_000_000)
        #expect(nanos(calculator.cost(provider: "anthropic", model: "claude-sonnet-4-5-20260101", usage: usage)) == 300_000_000)
        #expect(nanos(calculator.cost(provider: "anthropic", model: "claude-3-5-sonnet-20240620", usage: usage)) == 300_000_000)
        #expect(calculator.cost(provider: "anthropic", model: "claude-3-5-haiku-20250101", usage: usage) == .unpriced(.unknownModel))
        #expect(PriceTable.withoutDateSuffix("gpt-4o-2024-08-06") == "gpt-4o")
        #expect(PriceTable.withoutDateSuffix("claude-opus-4-20250514") == "claude-opus-4")
        #expect(PriceTable.withoutDateSuffix("gpt-4o") == nil)
        #expect(PriceTable.withoutDateSuffix("model-1234567") == nil)
    }
}

extension CostCalculatorTests {
    @Test func claudeSonnetLongContextPricesEveryTokenTypeAtTheTier() {
        // Above 200k input: 6 in, 0.60 read, 22.50 out.
        let usage = Usage(inputTokens: 250_000, outputTokens: 10_000, cacheReadTokens: 50_000)
        // 250000·6 + 50000·0.60 + 10000·22.50 = 1 755 000 µUSD
        #expect(nanos(calculator.cost(provider: "anthropic", model: "claude-sonnet-4-5", usage: usage)) == 1_755_000_000)
        #expect(nanos(calculator.cost(provider: "bedrock", model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", usage: usage)) == 1_755_000_000)
    }
}
