import Foundation
import Stores
import Synchronization

/// The BatchJobStore contract in memory, for driving the runner in tests.
public final class MemoryBatchJobStore: BatchJobStore {
    public struct State {
        public var jobs: [String: BatchJob] = [:]
        public var results: [String: [Int: BatchRecordResult]] = [:]
    }

    public let state = Mutex(State())

    public init() {}

    public func insert(_ job: BatchJob) async throws {
        try state.withLock { state in
            if state.jobs[job.id] != nil { throw BatchStoreError.duplicate(job.id) }
            if let token = job.clientRequestToken, state.jobs.values.contains(where: { $0.clientRequestToken == token }) {
                throw BatchStoreError.duplicate(token)
            }
            state.jobs[job.id] = job
        }
    }

    public func job(id: String) async throws -> BatchJob? { state.withLock { $0.jobs[id] } }

    public func job(clientRequestToken: String) async throws -> BatchJob? {
        state.withLock { $0.jobs.values.first { $0.clientRequestToken == clientRequestToken } }
    }

    public func list(_ query: BatchJobQuery) async throws -> [BatchJob] {
        let all = state.withLock { Array($0.jobs.values) }
        var jobs = all.filter { job in
            (query.status == nil || job.status == query.status)
                && (query.nameContains.map { job.name.contains($0) } ?? true)
                && (query.submittedAfter.map { job.submitTime > $0 } ?? true)
                && (query.submittedBefore.map { job.submitTime < $0 } ?? true)
                && query.owner.includes(job.owner)
        }
        jobs.sort { a, b in a.submitTime == b.submitTime ? a.id < b.id : (query.ascending ? a.submitTime < b.submitTime : a.submitTime > b.submitTime) }
        return Array(jobs.dropFirst(query.offset).prefix(query.limit))
    }

    @discardableResult public func update(id: String, _ change: @Sendable (inout BatchJob) throws -> Void) async throws -> BatchJob {
        try state.withLock { state in
            guard var job = state.jobs[id] else { throw BatchStoreError.notFound(id) }
            try change(&job)
            state.jobs[id] = job
            return job
        }
    }

    public func unfinished() async throws -> [BatchJob] {
        state.withLock { $0.jobs.values.filter { !$0.status.isTerminal }.sorted { $0.submitTime < $1.submitTime } }
    }

    public func addResult(jobId: String, _ result: BatchRecordResult) async throws -> Bool {
        try state.withLock { state in
            guard var job = state.jobs[jobId] else { throw BatchStoreError.notFound(jobId) }
            if state.results[jobId]?[result.index] != nil { return false }
            state.results[jobId, default: [:]][result.index] = result
            job.statistics.processedRecordCount += 1
            if result.succeeded { job.statistics.successRecordCount += 1 } else { job.statistics.errorRecordCount += 1 }
            job.statistics.inputTokenCount += result.inputTokens
            job.statistics.outputTokenCount += result.outputTokens
            state.jobs[jobId] = job
            return true
        }
    }

    public func results(jobId: String) async throws -> [BatchRecordResult] {
        state.withLock { ($0.results[jobId] ?? [:]).values.sorted { $0.index < $1.index } }
    }

    public func finishedIndexes(jobId: String) async throws -> Set<Int> {
        state.withLock { Set(($0.results[jobId] ?? [:]).keys) }
    }
}
