import Batch
import Dashboard
import Engine
import Foundation
import Governance
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Stores
import SwitchyardModel
import SwitchyardTestSupport
import Testing

@testable import SwitchyardServer

@Suite struct AdminBatchRoutesTests {
    /// `/api/batches` over a memory store: one job of a virtual key, one without a key.
    static func with(_ body: @Sendable (any TestClientProtocol, MemoryBatchJobStore) async throws -> Void) async throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let config = ProviderConfig(name: "fake", kind: .openai, baseURL: "http://127.0.0.1:9", maxRetries: 0)
        let engine = Engine(providers: [ProviderRuntime(config: config, adapter: ScriptedProvider())], aliases: [:], logger: logger)
        let store = MemoryBatchJobStore()
        let now = Date()
        for (id, owner, status) in [("aaaaaaaaaaaa", "vk-1", BatchJobStatus.inProgress), ("bbbbbbbbbbbb", nil, .completed)] {
            var job = BatchJob(
                id: id, arn: "arn:aws:bedrock:us-west-2:000000000000:model-invocation-job/\(id)", name: "job-\(id.prefix(1))",
                modelId: "fake/m", runner: "gateway", roleArn: "r", clientRequestToken: nil, status: status, submitTime: now,
                lastModifiedTime: now, inputURI: "s3://in/a.jsonl", outputURI: "s3://out/results/", timeoutHours: nil, tags: [:],
                invocationType: nil, runnerState: ["namespace": "gateway"], owner: owner)
            job.statistics.totalRecordCount = 10
            job.statistics.processedRecordCount = 4
            try await store.insert(job)
        }
        let desk = BatchDesk(store: store, engine: engine, providers: [config], wakeups: BatchWakeups())
        let router = Router()
        let api = router.group("api").add(middleware: AdminAuthMiddleware<BasicRequestContext>(token: AdminToken(AdminHarness.token)))
        AdminBatchRoutes<BasicRequestContext>(desk: desk, logger: logger).register(on: api)
        try await Application(router: router).test(.router) { client in try await body(client, store) }
    }

    @Test func listsEveryJobWithItsOwnerAndProgress() async throws {
        try await Self.with { client, _ in
            #expect(try await client.execute(uri: "/api/batches", method: .get).status == .unauthorized)
            let listed = try AdminHarness.json(try await client.admin("/api/batches").body)
            let jobs = try #require(listed["jobs"] as? [[String: Any]])
            #expect(Set(jobs.compactMap { $0["id"] as? String }) == ["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
            let keyed = try #require(jobs.first { $0["id"] as? String == "aaaaaaaaaaaa" })
            #expect(keyed["owner"] as? String == "vk-1" && keyed["processed_record_count"] as? Int == 4 && keyed["total_record_count"] as? Int == 10)
            #expect(keyed["output_location"] as? String == "s3://out/results/aaaaaaaaaaaa/")
            let completed = try AdminHarness.json(try await client.admin("/api/batches?status=Completed").body)
            #expect((completed["jobs"] as? [[String: Any]])?.map { $0["id"] as? String } == ["bbbbbbbbbbbb"])
            #expect(try await client.admin("/api/batches?limit=0").status == .badRequest)
            #expect(try await client.admin("/api/batches/zzzzzzzzzzzz").status == .notFound)
            // By ARN as well as by id.
            let byArn = try await client.admin("/api/batches/arn:aws:bedrock:us-west-2:000000000000:model-invocation-job%2Faaaaaaaaaaaa")
            #expect(try AdminHarness.json(byArn.body)["name"] as? String == "job-a")
        }
    }

    @Test func stopsAnyRunningJobAndRefusesAFinishedOne() async throws {
        try await Self.with { client, store in
            // A key's job, which no other caller could stop through the Bedrock door.
            let stopped = try await client.admin("/api/batches/aaaaaaaaaaaa/stop", .post)
            #expect(stopped.status == .ok)
            #expect(try AdminHarness.json(stopped.body)["status"] as? String == "Stopping")
            #expect(try await store.job(id: "aaaaaaaaaaaa")?.status == .stopping)
            let finished = try await client.admin("/api/batches/bbbbbbbbbbbb/stop", .post)
            #expect(finished.status == .conflict)
            #expect(try await store.job(id: "bbbbbbbbbbbb")?.status == .completed)
        }
    }
}
