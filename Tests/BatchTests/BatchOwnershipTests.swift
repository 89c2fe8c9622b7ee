import Engine
import Foundation
import Stores
import Synchronization
import SwitchyardModel
import SwitchyardTestSupport
import Testing

@testable import Batch

/// Records each call's caller, so a test sees whom the runner acted as.
final class CallerRecorder: CallPlugin {
    let callers = Mutex<[String?]>([])

    func callWillStart(_ call: PlannedCall) async throws {
        callers.withLock { $0.append(call.context.descriptor.caller?.keyId) }
    }

    func callEnded(_ record: CallRecord) {}
}

/// A directory whose key can be revoked after some lookups.
final class RevocableCallers: CallerDirectory {
    let lookupsLeft: Mutex<Int>

    init(activeFor lookups: Int) { lookupsLeft = Mutex(lookups) }

    func identity(keyId: String) async throws -> CallerIdentity {
        let active = lookupsLeft.withLock { left in
            defer { left -= 1 }
            return left > 0
        }
        guard active else { throw GatewayError(.accessDenied, "The virtual key 'team' that owns this job was revoked") }
        return CallerIdentity(keyId: keyId, name: "team")
    }
}

@Suite struct BatchOwnershipTests {
    let p = BatchHarness.prompt

    func create(_ h: BatchHarness, as key: String?, name: String = "job-1") async throws -> String {
        h.files.put("s3://in/batch/input.jsonl", [p("a", "one"), p("b", "two"), p("c", "three")].joined(separator: "\n"))
        let info = try await CallerScope.$current.withValue(key.map { CallerIdentity(keyId: $0, name: $0) }) {
            try await h.desk.create(h.spec(name: name))
        }
        return String(info.arn.split(separator: "/").last!)
    }

    func acting<T>(_ key: String?, _ work: () async throws -> T) async rethrows -> T {
        try await CallerScope.$current.withValue(key.map { CallerIdentity(keyId: $0, name: $0) }, operation: work)
    }

    @Test func anotherKeysJobIsNotFoundAndNotListed() async throws {
        let h = BatchHarness()
        let mine = try await create(h, as: "key-a", name: "mine")
        let keyless = try await create(h, as: nil, name: "keyless")
        #expect(try await h.store.job(id: mine)?.owner == "key-a")
        #expect(try await h.store.job(id: keyless)?.owner == nil)

        await #expect(throws: GatewayError.self) { try await self.acting("key-b") { try await h.desk.job(id: mine) } }
        await #expect(throws: GatewayError.self) { try await self.acting("key-b") { try await h.desk.stop(id: mine) } }
        await #expect(throws: GatewayError.self) { try await self.acting(nil) { try await h.desk.job(id: mine) } }
        do {
            _ = try await self.acting("key-b") { try await h.desk.job(id: mine) }
        } catch let error as GatewayError {
            #expect(error.kind == .notFound && error.message == BatchDesk.notFound(mine).message)
        }
        #expect(try await self.acting("key-a") { try await h.desk.job(id: mine) }.name == "mine")
        // A keyless job: visible to a key, stoppable only without one.
        #expect(try await self.acting("key-b") { try await h.desk.job(id: keyless) }.name == "keyless")
        await #expect(throws: GatewayError.self) { try await self.acting("key-b") { try await h.desk.stop(id: keyless) } }

        let filter = BatchJobFilter(maxResults: 10)
        #expect(try await self.acting("key-a") { try await h.desk.list(filter) }.jobs.map(\.name) == ["mine"])
        #expect(try await self.acting("key-b") { try await h.desk.list(filter) }.jobs.isEmpty)
        #expect(try await self.acting(nil) { try await h.desk.list(filter) }.jobs.map(\.name) == ["keyless"])
        try await self.acting("key-a") { try await h.desk.stop(id: mine) }
        #expect(try await h.store.job(id: mine)?.status == .stopping)
    }

    @Test func recordsRunAsTheJobsOwner() async throws {
        let recorder = CallerRecorder()
        let h = BatchHarness(concurrency: 1, plugins: [recorder], callers: RevocableCallers(activeFor: 100))
        let id = try await create(h, as: "key-a")
        let job = try await h.run(id)
        #expect(job.status == .completed)
        #expect(recorder.callers.withLock { $0 } == ["key-a", "key-a", "key-a"])
    }

    @Test func aKeyRevokedMeanwhileStopsTheJobWithWhatWasDone() async throws {
        let h = BatchHarness(concurrency: 1, callers: RevocableCallers(activeFor: 2))
        let id = try await create(h, as: "key-a")
        let job = try await h.run(id)
        #expect(job.status == .stopped)
        #expect(job.statistics.processedRecordCount == 2)
        let message = try #require(job.message)
        #expect(message.contains("The virtual key 'team' that owns this job was revoked"))
        #expect(message.contains("after 2 of 3 records"))
        #expect(h.provider.prompts == ["one", "two"])
    }
}
