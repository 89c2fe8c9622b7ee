@testable import SwitchyardServer
import Testing

/// The accept gate counts from the lowest free descriptor, which is what the next accept would get; the end-to-end
/// test in test_edge_guard.py runs the gateway into its real limit.
@Suite struct DescriptorHeadroomTests {
    @Test func acceptingStopsWhenOnlyTheHeadroomIsLeft() {
        let headroom = DescriptorBackoffHandler.headroom
        #expect(DescriptorBackoffHandler.leavesTooFew(lowestFree: 256 - headroom, limit: 256))
        #expect(DescriptorBackoffHandler.leavesTooFew(lowestFree: 255, limit: 256))
        #expect(!DescriptorBackoffHandler.leavesTooFew(lowestFree: 256 - headroom - 1, limit: 256))
        #expect(!DescriptorBackoffHandler.leavesTooFew(lowestFree: 1_000_000, limit: nil))
    }

    @Test func aProcessFarFromItsLimitAccepts() {
        #expect(!DescriptorBackoffHandler.descriptorsExhausted(limit: 1 << 20))
    }
}
