@testable import SwitchyardServer
import Testing

/// A provider's `max_connections` is split into one pool per event loop only when every loop's share stays large;
/// the shares always add up to the configured limit.
@Suite struct UpstreamPoolSharesTests {
    @Test(arguments: [(1024, 2), (1025, 2), (1000, 3), (128, 2), (4096, 16)])
    func aLargeLimitIsSplitExactlyAcrossTheLoops(maxConnections: Int, loops: Int) {
        let shares = Gateway.poolShares(maxConnections: maxConnections, loops: loops)
        #expect(shares.count == loops)
        #expect(shares.reduce(0, +) == maxConnections)
        #expect(shares.max()! - shares.min()! <= 1)
    }

    @Test(arguments: [(8, 2), (127, 2), (1, 4), (1024, 1), (200, 4)])
    func aSmallLimitOrOneLoopKeepsOnePool(maxConnections: Int, loops: Int) {
        #expect(Gateway.poolShares(maxConnections: maxConnections, loops: loops) == [maxConnections])
    }
}
