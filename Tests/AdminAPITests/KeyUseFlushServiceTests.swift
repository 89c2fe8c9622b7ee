import Foundation
import ServiceLifecycle
import Testing

@testable import SwitchyardServer

@Suite struct KeyUseFlushServiceTests {
    @Test func usesNotedBeforeShutdownAreWrittenAtShutdown() async throws {
        try await AdminHarness.with { _, harness in
            let issued = try await harness.governance.issuer.create(name: "used")
            let at = Date(timeIntervalSince1970: 1_800_000_000)
            harness.governance.ring.noteUse(keyId: issued.record.id, at: at)
            // The period is 30 s: only the flush at graceful shutdown can have written it.
            let group = ServiceGroup(services: [harness.governance.flusher], logger: AdminHarness.logger)
            async let running: Void = group.run()
            await group.triggerGracefulShutdown()
            try await running
            let stored = try await harness.store.virtualKeys.key(id: issued.record.id)
            #expect(stored?.lastUsedAt == at, "\(String(describing: stored?.lastUsedAt))")
        }
    }
}
