import Foundation
import Testing

@testable import Stores

@Suite struct SQLiteBatchJobStoreTests {
    let dir: TemporaryDirectory
    let store: SQLiteBatchJobStore

    init() throws {
        dir = try TemporaryDirectory()
        store = SQLiteBatchJobStore(pool: try StoreDatabase.open(dataDir: dir.path))
    }

    func job(_ id: String, submitted: Double = 1_700_000_000, status: BatchJobStatus = .submitted, token: String? = nil) -> BatchJob {
        BatchJob(
            id: id, arn: "arn:aws:bedrock:us-east-1:000000000000:model-invocation-job/\(id)", name: "job-\(id)",
            modelId: "openai/gpt-4o-mini", runner: "gateway", roleArn: "arn:aws:iam::0:role/r", clientRequestToken: token,
            status: status, submitTime: Date(timeIntervalSince1970: submitted), lastModifiedTime: Date(timeIntervalSince1970: submitted),
            inputURI: "s3://in/a.jsonl", outputURI: "s3://out/", timeoutHours: 24, tags: ["k": "v"], invocationType: nil,
            statistics: BatchStatistics(totalRecordCount: 3), runnerState: ["cursor": "1"])
    }

    @Test func insertGetAndDuplicates() async throws {
        let original = job("aaaaaaaaaaaa", token: "tok")
        try await store.insert(original)
        #expect(try await store.job(id: "aaaaaaaaaaaa") == original)
        #expect(try await store.job(clientRequestToken: "tok") == original)
        await #expect(throws: BatchStoreError.duplicate("aaaaaaaaaaaa")) { try await store.insert(original) }
        await #expect(throws: BatchStoreError.duplicate("tok")) { try await store.insert(job("bbbbbbbbbbbb", token: "tok")) }
        #expect(try await store.job(id: "missing") == nil)
    }

    @Test func listOrderAndFilters() async throws {
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

    @Test func updateIsOneTransaction() async throws {
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

    @Test func addResultIsIdempotentAndCountsOnce() async throws {
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

    @Test func concurrentDuplicateResultsCountOnce() async throws {
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
