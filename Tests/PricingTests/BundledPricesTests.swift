import Foundation
import Testing

@testable import Pricing

@Suite struct BundledPricesTests {
    /// The compiled-in table is generated from prices.json; an edit to one without `scripts/embed-prices.sh`
    /// would ship prices nobody reviewed.
    @Test func theCompiledTableIsThePriceFile() throws {
        let source = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Pricing/Resources/prices.json")
        var file = try String(contentsOf: source, encoding: .utf8)
        while file.hasSuffix("\n") { file.removeLast() }
        #expect(BundledPrices.json == file, "run scripts/embed-prices.sh")
    }
}
