import Foundation
import Stores

/// A request log store that remembers every batch it was given; it can be made to stall (a stuck disk) or to fail.
actor RecordingStore: RequestLogStore {
    struct Refused: Error {}

    private(set) var batches: [[RequestLogRecord]] = []
    private(set) var deletedBefore: [Date] = []
    private var failing = false
    private var stalled = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private(set) var appendsStarted = 0

    var ids: [String] { batches.flatMap { $0.map(\.id) } }

    func setFailing(_ value: Bool) { failing = value }

    func stall() { stalled = true }

    func release() {
        stalled = false
        for continuation in waiting { continuation.resume() }
        waiting.removeAll()
    }

    func append(_ records: [RequestLogRecord]) async throws {
        appendsStarted += 1
        if stalled { await withCheckedContinuation { waiting.append($0) } }
        if failing { throw Refused() }
        batches.append(records)
    }

    func query(_ filter: RequestLogFilter, after cursor: RequestLogCursor?, limit: Int) async throws -> RequestLogPage {
        RequestLogPage(records: Array(batches.joined().reversed().prefix(limit)), next: nil)
    }

    /// The writer never reads a series; nothing to aggregate here.
    func series(_ filter: RequestLogFilter, bucketSeconds: Int) async throws -> RequestLogSeries {
        RequestLogSeries(bucketSeconds: bucketSeconds, buckets: [], topModels: [], topKeys: [])
    }

    func totals(_ filter: RequestLogFilter) async throws -> RequestLogTotals {
        RequestLogTotals(count: ids.count, succeeded: 0, tokens: RequestLogTokens(), cost: .zero, unpriced: 0, latencyP50Ms: nil, latencyP95Ms: nil)
    }

    func deleteStarted(before date: Date) async throws -> Int {
        deletedBefore.append(date)
        return 0
    }
}

/// Polls until the condition holds, for at most 30 seconds, so a broken writer fails the test instead of hanging it;
/// generous, because a loaded machine (parallel suites on two cores) can take seconds to run a 20 ms flush.
func eventually(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw Timeout(what: what) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

struct Timeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}
