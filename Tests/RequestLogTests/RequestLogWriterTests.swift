import Foundation
import Logging
import ServiceLifecycle
import Stores
import SwitchyardModel
import Testing

@testable import RequestLog

@Suite struct RequestLogWriterTests {
    let logger = Logger(label: "test")

    func record(_ id: String, second: Int64 = 0, contentIn: String? = nil, contentOut: String? = nil) -> RequestLogRecord {
        let start = RequestLogTime.date(1_700_000_000_000_000 + second * 1_000_000)
        return RequestLogRecord(
            id: id, startedAt: start, endedAt: start, door: "bedrock", operation: "Converse",
            route: "/bedrock/model/{modelId}/converse", httpStatus: 200, latencyMs: 1, contentIn: contentIn,
            contentOut: contentOut)
    }

    /// Runs the writer in a service group, hands the body a way to stop it gracefully, and waits for it to end.
    func running(_ writer: RequestLogWriter, _ body: (_ stop: @Sendable () async -> Void) async throws -> Void) async throws {
        let group = ServiceGroup(services: [writer], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body { await group.triggerGracefulShutdown() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func aFullQueueDropsAndCountsWithoutWaiting() async throws {
        let store = RecordingStore()
        let writer = RequestLogWriter(store: store, configuration: .init(capacity: 3, batchSize: 100), logger: logger)
        // Nothing drains the queue yet: enqueue still returns at once, and refuses past the bound.
        let accepted = (1...5).map { writer.enqueue(record("r\($0)")) }
        #expect(accepted == [true, true, true, false, false])
        #expect(writer.stats.dropped == 2)
        #expect(writer.stats.queued == 3)
        try await running(writer) { stop in await stop() }
        #expect(await store.ids == ["r1", "r2", "r3"])
        #expect(writer.stats == RequestLogWriterStats(queued: 0, dropped: 2, written: 3, failed: 0, swept: 0))
    }

    @Test func aStalledDiskFillsTheQueueButNeverTheCaller() async throws {
        let store = RecordingStore()
        await store.stall()
        let writer = RequestLogWriter(store: store, configuration: .init(capacity: 2, batchSize: 1), logger: logger)
        try await running(writer) { _ in
            #expect(writer.enqueue(record("in-flight")))
            try await eventually("the first batch to reach the store") { await store.appendsStarted == 1 }
            // The writer is stuck in the store; the queue takes two more and drops the rest.
            #expect(writer.enqueue(record("q1")))
            #expect(writer.enqueue(record("q2")))
            #expect(!writer.enqueue(record("lost")))
            await store.release()
            try await eventually("the queue to drain") { await store.ids.count == 3 }
        }
        #expect(await store.ids == ["in-flight", "q1", "q2"])
        #expect(writer.stats.dropped == 1)
    }

    @Test func aFullBatchIsWrittenWithoutWaitingForTheInterval() async throws {
        let store = RecordingStore()
        let writer = RequestLogWriter(
            store: store, configuration: .init(batchSize: 3, flushInterval: .seconds(3600)), logger: logger)
        try await running(writer) { _ in
            for n in 1...3 { writer.enqueue(record("a\(n)")) }
            try await eventually("a full batch to be written") { await store.batches.count == 1 }
            for n in 1...2 { writer.enqueue(record("b\(n)")) }
        }
        // The partial batch went out on shutdown.
        #expect(await store.batches.map { $0.map(\.id) } == [["a1", "a2", "a3"], ["b1", "b2"]])
    }

    @Test func aPartialBatchIsWrittenWhenTheIntervalPasses() async throws {
        let store = RecordingStore()
        let writer = RequestLogWriter(
            store: store, configuration: .init(batchSize: 1000, flushInterval: .milliseconds(20)), logger: logger)
        try await running(writer) { _ in
            writer.enqueue(record("x"))
            writer.enqueue(record("y"))
            try await eventually("the interval flush") { await store.ids == ["x", "y"] }
        }
        #expect(await store.ids == ["x", "y"])
    }

    @Test func shutdownFlushesEverythingInBatchSizedTransactions() async throws {
        let store = RecordingStore()
        let writer = RequestLogWriter(
            store: store, configuration: .init(capacity: 100, batchSize: 4, flushInterval: .seconds(3600)), logger: logger)
        // Queued before the writer runs, more than a batch: the first wake-up is at the fourth.
        for n in 1...10 { writer.enqueue(record(String(format: "r%02d", n))) }
        try await running(writer) { stop in await stop() }
        let batches = await store.batches
        #expect(batches.flatMap { $0.map(\.id) } == (1...10).map { String(format: "r%02d", $0) })
        #expect(batches.allSatisfy { $0.count <= 4 })
        #expect(writer.stats.written == 10)
        #expect(writer.stats.queued == 0)
    }

    @Test func aRefusedBatchIsCountedAndLaterOnesStillGoThrough() async throws {
        let store = RecordingStore()
        await store.setFailing(true)
        let writer = RequestLogWriter(
            store: store, configuration: .init(batchSize: 2, flushInterval: .seconds(3600)), logger: logger)
        try await running(writer) { _ in
            writer.enqueue(record("f1"))
            writer.enqueue(record("f2"))
            try await eventually("the refused batch") { writer.stats.failed == 2 }
            await store.setFailing(false)
            writer.enqueue(record("ok1"))
            writer.enqueue(record("ok2"))
            try await eventually("the next batch") { await store.ids == ["ok1", "ok2"] }
        }
        #expect(writer.stats.failed == 2)
        #expect(writer.stats.written == 2)
    }

    @Test func retentionDeletesRowsOlderThanTheConfiguredDays() async throws {
        let dir = NSTemporaryDirectory() + "switchyard-requestlog-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = SQLiteRequestLogStore(pool: try StoreDatabase.open(dataDir: dir))
        let now = RequestLogTime.date(1_700_000_000_000_000 + 30 * 86_400_000_000)
        func day(_ daysAgo: Double) -> RequestLogRecord {
            var r = record("\(daysAgo)d")
            r.startedAt = now.addingTimeInterval(-daysAgo * 86_400)
            r.endedAt = r.startedAt
            return r
        }
        try await store.append([day(8), day(7.01), day(6.99), day(1)])
        let writer = RequestLogWriter(
            store: store, configuration: .init(retentionDays: 7, retentionSweepInterval: .seconds(3600)), logger: logger,
            now: { now })
        try await running(writer) { _ in
            try await eventually("the retention sweep") { writer.stats.swept == 2 }
        }
        let left = try await store.query(RequestLogFilter(), after: nil, limit: 10).records.map(\.id)
        #expect(left == ["1.0d", "6.99d"])
    }

    @Test func contentIsDroppedUnlessEnabledThenRedactedAndTruncated() async throws {
        let dir = NSTemporaryDirectory() + "switchyard-requestlog-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = SQLiteRequestLogStore(pool: try StoreDatabase.open(dataDir: dir))
        let secret = "prov-secret-0123456789"
        let policy = RequestLogContentPolicy(enabled: true, maxBytes: 40, redactor: SecretRedactor(secrets: [secret]))
        let writer = RequestLogWriter(store: store, configuration: .init(content: policy), logger: logger)
        let long = "my key is \(secret) and sk-abcdef123456 " + String(repeating: "é", count: 50)
        writer.enqueue(record("with-content", second: 1, contentIn: long, contentOut: "short answer"))
        let off = RequestLogWriter(store: store, configuration: .init(), logger: logger)
        off.enqueue(record("without-content", second: 0, contentIn: "hello", contentOut: "world"))
        try await running(writer) { _ in }
        try await running(off) { _ in }

        let rows = try await store.query(RequestLogFilter(), after: nil, limit: 10).records
        #expect(rows.map(\.id) == ["with-content", "without-content"])
        let stored = try #require(rows[0].contentIn)
        #expect(!stored.contains(secret))
        #expect(!stored.contains("sk-abcdef"))
        #expect(stored.hasPrefix("my key is [redacted] and [redacted] "))
        #expect(stored.hasSuffix(RequestLogContentPolicy.marker))
        // 40 bytes of content: "my key is [redacted] and [redacted] " is 36, then two 2-byte "é" fit.
        #expect(stored == "my key is [redacted] and [redacted] éé" + RequestLogContentPolicy.marker)
        #expect(rows[0].contentOut == "short answer")
        #expect(rows[1].contentIn == nil)
        #expect(rows[1].contentOut == nil)
        #expect(try await store.query(RequestLogFilter(contentContains: "SHORT ANSWER"), after: nil, limit: 10).records.map(\.id) == ["with-content"])
    }

    @Test func truncationKeepsWholeCharactersAndHeldContentIsBounded() {
        #expect(RequestLogContentPolicy.prefix("aé👋b", bytes: 3) == "aé")
        #expect(RequestLogContentPolicy.prefix("aé👋b", bytes: 6) == "aé")
        #expect(RequestLogContentPolicy.prefix("aé👋b", bytes: 7) == "aé👋")
        #expect(RequestLogContentPolicy.prefix("abc", bytes: 0) == "")
        let policy = RequestLogContentPolicy(enabled: true, maxBytes: 10)
        var held = record("big", contentIn: String(repeating: "x", count: 1_000_000))
        policy.bound(&held)
        #expect(held.contentIn?.utf8.count == 10 + RequestLogContentPolicy.redactionSlack)
    }
}
