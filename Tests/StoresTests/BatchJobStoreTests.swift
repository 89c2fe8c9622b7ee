import Foundation
import Testing

@testable import Stores

struct BatchJobStoreCase {
    let opened: OpenedStore
    let store: any BatchJobStore

    init(_ backend: StoreBackend) async throws {
        opened = try await backend.open()
        store = opened.store.batchJobs
    }

    func job(_ id: String, submitted: Double = 1_700_000_000, status: BatchJobStatus = .submitted, token: String? = nil) -> BatchJob {
        BatchJob(
            id: id, arn: "arn:aws:bedrock:us-east-1:000000000000:model-invocation-job/\(id)", name: "job-\(id)",
            modelId: "openai/gpt-4o-mini", runner: "gateway", roleArn: "arn:aws:iam::0:role/r", clientRequestToken: token,
            status: status, submitTime: Date(timeIntervalSince1970: submitted), lastModifiedTime: Date(timeIntervalSince1970: submitted),
            inputURI: "s3://in/a.jsonl", outputURI: "s3://out/", timeoutHours: 24, tags: ["k": "v"], invocationType: nil,
            statistics: BatchStatistics(totalRecordCount: 3), runnerState: ["cursor": "1"])
    }

    func insertGetAndDuplicates() async throws {
        let original = job("aaaaaaaaaaaa", token: "tok")
        try await store.insert(original)
        #expect(try await store.job(id: "aaaaaaaaaaaa") == original)
        #expect(try await store.job(clientRequestToken: "tok") == original)
        await #expect(throws: BatchStoreError.duplicate("aaaaaaaaaaaa")) { try await store.insert(original) }
        await #expect(throws: BatchStoreError.duplicate("tok")) { try await store.insert(job("bbbbbbbbbbbb", token: "tok")) }
        #expect(try await store.job(id: "missing") == nil)
    }

    func listOrderAndFilters() async throws {
        try await store.insert(job("j1", submitted: 10, status: .completed))
        try await store.insert(job("j2", submitted: 20))
        try await store.insert(job("j3", submitted: 20))
        try await store.insert(job("j4", submitted: 30, status: .inProgress))
        #expect(try await store.list(BatchJobQuery()).map(\.id) == ["j4", "j3", "j2", "j1"])
        #expect(try await store.list(BatchJobQuery(ascending: true)).map(\.id) == ["j1", "j2", "j3", "j4"])
        #expect(try await store.list(BatchJobQuery(offset: 1, limit: 2)).map(\.id) == ["j3", "j2"])
        #expect(try await store.list(BatchJobQuery(status: .completed)).map(\.id) == ["j1"])
        #expect(try await store.list(BatchJobQuery(nameContains: "job-j2")).map(\.id) == ["j2"])
        #expect(try await store.list(BatchJobQuery(nameContains: "%")).isEmpty)
        let window = BatchJobQuery(submittedAfter: Date(timeIntervalSince1970: 10), submittedBefore: Date(timeIntervalSince1970: 30))
        #expect(try await store.list(window).map(\.id) == ["j3", "j2"])
        #expect(try await store.unfinished().map(\.id) == ["j2", "j3", "j4"])
    }

    func updateIsOneTransaction() async throws {
        try await store.insert(job("j1"))
        let written = try await store.update(id: "j1") { job in
            job.status = .inProgress
            job.providerJobId = "batch_123"
            job.runnerState["cursor"] = "2"
        }
        #expect(written.status == .inProgress)
        #expect(try await store.job(id: "j1") == written)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await store.update(id: "j1") { job in
                job.status = .failed
                throw Refused()
            }
        }
        #expect(try await store.job(id: "j1")?.status == .inProgress)
        await #expect(throws: BatchStoreError.notFound("nope")) { try await store.update(id: "nope") { _ in } }
        try await store.insert(job("j2", token: "taken"))
        await #expect(throws: BatchStoreError.duplicate("taken")) {
            try await store.update(id: "j1") { $0.clientRequestToken = "taken" }
        }
    }

    func addResultIsIdempotentAndCountsOnce() async throws {
        try await store.insert(job("j1"))
        #expect(try await store.addResult(jobId: "j1", BatchRecordResult(index: 0, line: "{\"a\":0}", succeeded: true, inputTokens: 5, outputTokens: 7)))
        #expect(try await store.addResult(jobId: "j1", BatchRecordResult(index: 2, line: "{\"a\":2}", succeeded: false)))
        #expect(try await store.addResult(jobId: "j1", BatchRecordResult(index: 0, line: "changed", succeeded: false, inputTokens: 100)) == false)
        let stats = try #require(try await store.job(id: "j1")).statistics
        #expect(stats == BatchStatistics(totalRecordCount: 3, processedRecordCount: 2, successRecordCount: 1, errorRecordCount: 1, inputTokenCount: 5, outputTokenCount: 7))
        #expect(try await store.results(jobId: "j1").map(\.line) == ["{\"a\":0}", "{\"a\":2}"])
        #expect(try await store.finishedIndexes(jobId: "j1") == [0, 2])
        await #expect(throws: BatchStoreError.notFound("ghost")) {
            try await store.addResult(jobId: "ghost", BatchRecordResult(index: 0, line: "", succeeded: true))
        }
    }

    func concurrentDuplicateResultsCountOnce() async throws {
        try await store.insert(job("j1"))
        let store = self.store
        let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for attempt in 0..<40 {
                group.addTask { try await store.addResult(jobId: "j1", BatchRecordResult(index: attempt % 10, line: "x", succeeded: true, inputTokens: 1)) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(accepted == 10)
        let stats = try #require(try await store.job(id: "j1")).statistics
        #expect(stats.processedRecordCount == 10 && stats.successRecordCount == 10 && stats.inputTokenCount == 10)
    }
}

extension BatchJobStoreCase {
    /// Shared stores only: one unfinished job, two gateways.
    func aLeasedJobIsClaimedByOneGatewayUntilItsLeaseLapses() async throws {
        try await store.insert(job("j1"))
        let now = Date()
        #expect(try await store.claimUnfinished(holder: "a", until: now + 30, now: now).map(\.id) == ["j1"])
        #expect(try await store.claimUnfinished(holder: "b", until: now + 30, now: now).isEmpty)
        // The holder's own scan keeps it, and renewing tells who lost what.
        #expect(try await store.claimUnfinished(holder: "a", until: now + 30, now: now).map(\.id) == ["j1"])
        #expect(try await store.renewLeases(holder: "b", jobIds: ["j1"], until: now + 60) == ["j1"])
        #expect(try await store.renewLeases(holder: "a", jobIds: ["j1"], until: now + 60).isEmpty)
        // a dies: after its lease, b takes the job, and a's renewal now fails.
        #expect(try await store.claimUnfinished(holder: "b", until: now + 120, now: now + 61).map(\.id) == ["j1"])
        #expect(try await store.renewLeases(holder: "a", jobIds: ["j1"], until: now + 90) == ["j1"])
        try await store.releaseLease(jobId: "j1", holder: "b")
        #expect(try await store.claimUnfinished(holder: "c", until: now + 30, now: now + 62).map(\.id) == ["j1"])
        // Finished jobs are nobody's.
        try await store.update(id: "j1") { $0.status = .completed }
        #expect(try await store.claimUnfinished(holder: "c", until: now + 30, now: now + 62).isEmpty)
    }
}

/// The `BatchJobStore` contract, run against every store backend.
@Suite struct BatchJobStoreTests {
    @Test(arguments: StoreBackend.available) func insertGetAndDuplicates(_ backend: StoreBackend) async throws {
        try await BatchJobStoreCase(backend).insertGetAndDuplicates()
    }

    @Test(arguments: StoreBackend.available) func listOrderAndFilters(_ backend: StoreBackend) async throws {
        try await BatchJobStoreCase(backend).listOrderAndFilters()
    }

    @Test(arguments: StoreBackend.available) func updateIsOneTransaction(_ backend: StoreBackend) async throws {
        try await BatchJobStoreCase(backend).updateIsOneTransaction()
    }

    @Test(arguments: StoreBackend.available) func addResultIsIdempotentAndCountsOnce(_ backend: StoreBackend) async throws {
        try await BatchJobStoreCase(backend).addResultIsIdempotentAndCountsOnce()
    }

    @Test(arguments: StoreBackend.available) func concurrentDuplicateResultsCountOnce(_ backend: StoreBackend) async throws {
        try await BatchJobStoreCase(backend).concurrentDuplicateResultsCountOnce()
    }

    @Test(arguments: StoreBackend.available.filter { $0 == .postgres })
    func aLeasedJobIsClaimedByOneGatewayUntilItsLeaseLapses(_ backend: StoreBackend) async throws {
        try await BatchJobStoreCase(backend).aLeasedJobIsClaimedByOneGatewayUntilItsLeaseLapses()
    }
}
