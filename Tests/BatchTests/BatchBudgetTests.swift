import Engine
import Foundation
import Stores
import Synchronization
import SwitchyardModel
import Testing

@testable import Batch

/// A plugin standing in for a budget: admits the first `allowance` calls, then refuses as an exhausted budget does.
final class AllowanceGate: CallPlugin {
    let left: Mutex<Int>

    init(allowance: Int) { left = Mutex(allowance) }

    func callWillStart(_ call: PlannedCall) async throws {
        let admitted = left.withLock { left in
            defer { left -= 1 }
            return left > 0
        }
        if !admitted { throw GatewayError(.quotaExceeded, "Budget 'daily' of virtual key 'team' is exhausted") }
    }

    func callEnded(_ record: CallRecord) {}
}

@Suite struct BatchBudgetTests {
    let p = BatchHarness.prompt

    @Test func anExhaustedBudgetStopsTheJobWithTheRecordsDoneSoFar() async throws {
        let h = BatchHarness(concurrency: 1, plugins: [AllowanceGate(allowance: 2)])
        let id = try await h.create([p("a", "one"), p("b", "two"), p("c", "three"), p("d", "four"), p("e", "five")])
        let job = try await h.run(id)
        #expect(job.status == .stopped && job.endTime != nil)
        #expect(job.statistics.processedRecordCount == 2 && job.statistics.errorRecordCount == 0)
        let message = try #require(job.message)
        #expect(message.contains("budget was exhausted after 2 of 5 records"))
        #expect(message.contains("Budget 'daily' of virtual key 'team' is exhausted"))
        // The refused record and those after it were not run and have no output line; the done ones do.
        #expect(h.provider.prompts == ["one", "two"])
        #expect(h.output(id).map { $0["recordId"] } == ["a", "b"])
    }

    @Test func aJobWhoseFirstRecordIsRefusedFails() async throws {
        let h = BatchHarness(concurrency: 1, plugins: [AllowanceGate(allowance: 0)])
        let id = try await h.create([p("a", "one"), p("b", "two")])
        let job = try await h.run(id)
        #expect(job.status == .failed)
        #expect(job.message?.contains("after 0 of 2 records") == true)
        #expect(h.provider.prompts.isEmpty)
    }

    @Test func otherRefusalsFailOnlyTheirRecord() async throws {
        let h = BatchHarness(concurrency: 1, plugins: [RefusingGate()])
        let id = try await h.create([p("a", "one"), p("b", "two")])
        let job = try await h.run(id)
        #expect(job.status == .failed && job.statistics.errorRecordCount == 2)
        #expect(h.output(id).compactMap { $0["error"]?["errorCode"] } == [403, 403])
    }
}

/// Refuses every call as a key that may not use the model.
final class RefusingGate: CallPlugin {
    func callWillStart(_ call: PlannedCall) async throws { throw GatewayError(.accessDenied, "not this model") }
    func callEnded(_ record: CallRecord) {}
}
