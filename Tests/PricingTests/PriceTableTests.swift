import Foundation
import SwitchyardModel
import Testing

@testable import Pricing

@Suite struct PriceTableTests {
    @Test func theShippedTableCoversTheModelsTheREADMEMentions() throws {
        let table = try PriceTable.bundled()
        #expect(table.version == "2025-12-01")
        let expected = [
            "openai/gpt-4o", "openai/gpt-4o-mini", "openai/gpt-4.1", "openai/o1", "openai/text-embedding-3-small",
            "anthropic/claude-3-5-sonnet-20240620", "anthropic/claude-3-5-haiku-20241022", "anthropic/claude-3-7-sonnet-20250219",
            "anthropic/claude-sonnet-4-0", "anthropic/claude-sonnet-4-5", "anthropic/claude-haiku-4-5",
            "anthropic/claude-opus-4-0", "anthropic/claude-opus-4-1", "anthropic/claude-opus-4-5",
            "gemini/gemini-2.0-flash", "gemini/gemini-2.0-flash-lite", "gemini/gemini-2.5-flash", "gemini/gemini-2.5-pro",
            "mistral/open-mistral-7b", "mistral/open-mixtral-8x7b", "mistral/mistral-large-latest",
            "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0",
            "bedrock/amazon.nova-micro-v1:0", "bedrock/amazon.nova-pro-v1:0", "bedrock/amazon.titan-embed-text-v2:0",
            "bedrock/meta.llama3-2-1b-instruct-v1:0", "bedrock/cohere.embed-english-v3",
        ]
        for key in expected {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            #expect(table.lookup(provider: parts[0], model: parts[1])?.version == "2025-12-01", "\(key)")
        }
    }

    /// Catches a typo in the data file: discounts are never dearer than the price they discount.
    @Test func everyShippedDiscountIsAtMostItsFullPrice() throws {
        let table = try PriceTable.bundled()
        #expect(table.prices.count > 60)
        for (key, price) in table.prices {
            for tier in [price.standard] + (price.above200k.map { [$0] } ?? []) {
                if let read = tier.cacheRead { #expect(read <= tier.input, "\(key)") }
                if let batch = tier.batchInput { #expect(batch <= tier.input, "\(key)") }
                if let batch = tier.batchOutput { #expect(batch <= tier.output, "\(key)") }
            }
            if let long = price.above200k { #expect(long.input >= price.standard.input, "\(key)") }
        }
    }

    @Test func overridesWinAndAreRecordedAsConfig() throws {
        let table = try PriceTable.bundled().overriding([
            "ollama/llama3.2:1b": PriceEntry(prices: .init(input: "0", output: "0")),
            "openai/gpt-4o": PriceEntry(prices: .init(input: "1", output: "2")),
        ])
        let calculator = CostCalculator(table: table)
        let usage = Usage(inputTokens: 1_000_000, outputTokens: 1_000_000)
        #expect(calculator.cost(provider: "ollama", model: "llama3.2:1b", usage: usage) == .priced(.zero, priceVersion: "config"))
        #expect(calculator.cost(provider: "openai", model: "gpt-4o", usage: usage) == .priced(USDAmount(nanos: 3_000_000_000), priceVersion: "config"))
        // An override of a name wins over the table even when the table would match it only after normalising.
        #expect(calculator.cost(provider: "openai", model: "gpt-4o-2024-08-06", usage: usage).priceVersion == "config")
        #expect(calculator.cost(provider: "openai", model: "gpt-4o-mini", usage: usage).priceVersion == "2025-12-01")
    }

    @Test func badPricesAreRefusedWithTheirName() throws {
        #expect(throws: PricingError.invalidPrice(model: "x/y", field: "output", text: "-1")) {
            try PriceTable.bundled().overriding(["x/y": PriceEntry(prices: .init(input: "1", output: "-1"))])
        }
        #expect(throws: PricingError.invalidPrice(model: "x/y", field: "cache_read", text: "0.0000001")) {
            try PriceTable.bundled().overriding(["x/y": PriceEntry(prices: .init(input: "1", output: "1", cacheRead: "0.0000001"))])
        }
        #expect(throws: PricingError.duplicateModel("x/z")) {
            try PriceTable.bundled().overriding([
                "x/y": PriceEntry(prices: .init(input: "1", output: "1"), aliases: ["x/z"]),
                "x/z": PriceEntry(prices: .init(input: "1", output: "1")),
            ])
        }
    }

    @Test func theFileFormatTakesDecimalTextOrWholeNumbersButNoFractions() throws {
        let good = #"{"version": "t1", "models": {"p/m": {"input": 2, "output": "0.5", "above_200k": {"input": "4", "output": 1}}}}"#
        let table = try PriceTable(json: Data(good.utf8))
        let price = try #require(table.lookup(provider: "p", model: "m"))
        #expect(price.version == "t1")
        #expect(price.price.standard.input == TokenPrice(perMillion: "2"))
        #expect(price.price.standard.output.picoUSDPerToken == 500_000)
        #expect(price.price.above200k?.output == TokenPrice(perMillion: "1"))
        let fraction = #"{"version": "t1", "models": {"p/m": {"input": 2.5, "output": "1"}}}"#
        #expect(throws: PricingError.self) { try PriceTable(json: Data(fraction.utf8)) }
        #expect(throws: PricingError.self) { try PriceTable(json: Data(#"{"version": "", "models": {}}"#.utf8)) }
        #expect(throws: PricingError.self) { try PriceTable(json: Data("not json".utf8)) }
    }

    @Test func usdAmountsParseAndPrintExactly() throws {
        #expect(USDAmount("0.000012345") == USDAmount(nanos: 12_345))
        #expect(USDAmount("3") == USDAmount(nanos: 3_000_000_000))
        #expect(USDAmount("-0.5") == USDAmount(nanos: -500_000_000))
        #expect(USDAmount(".25") == USDAmount(nanos: 250_000_000))
        for bad in ["", ".", "-", "1.2345678901", "abc", "1e-3", "1,5", "99999999999"] {
            #expect(USDAmount(bad) == nil, "\(bad)")
        }
        #expect(USDAmount(nanos: 12_345).description == "0.000012345")
        #expect(USDAmount(nanos: 3_000_000_000).description == "3")
        #expect(USDAmount(nanos: -1).description == "-0.000000001")
        let json = try JSONEncoder().encode([USDAmount(nanos: 21_000_000)])
        #expect(String(decoding: json, as: UTF8.self) == #"["0.021"]"#)
        #expect(try JSONDecoder().decode([USDAmount].self, from: json) == [USDAmount(nanos: 21_000_000)])
        #expect(TokenPrice(perMillion: "0.00875")?.picoUSDPerToken == 8750)
        #expect(TokenPrice(perMillion: "0.00875")?.description == "0.00875")
    }
}
