import Engine
import Foundation
import Stores
import SwitchyardModel
import Testing

@testable import Batch

/// Message Batches on the desk and the gateway runner: inline requests kept in the store, each run through the
/// engine on its own model, the results one JSONL document in Anthropic's form that also lists what never ran.
@Suite struct AnthropicBatchTests {
    static func request(_ id: String, _ text: String, model: String = "fake/m") -> DoorBatchRequest {
        DoorBatchRequest(
            customId: id,
            params: ["model": .string(model), "max_tokens": 16, "messages": [["role": "user", "content": .string(text)]]])
    }

    func create(_ h: BatchHarness, _ requests: [DoorBatchRequest], key: String? = nil) async throws -> DoorBatch {
        try await acting(key) { try await h.desk.createBatch(DoorBatchCreate(dialect: .anthropic, input: .requests(requests), timeoutHours: 24)) }
    }

    func acting<T: Sendable>(_ key: String?, _ work: () async throws -> T) async rethrows -> T {
        try await CallerScope.$current.withValue(key.map { CallerIdentity(keyId: $0, name: $0) }, operation: work)
    }

    /// The results by custom id.
    func results(_ h: BatchHarness, _ id: String, key: String? = nil) async throws -> [String: JSONValue] {
        let bytes = try await acting(key) { try await h.desk.batchResults(id: id, dialect: .anthropic) }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { try! JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        return Dictionary(uniqueKeysWithValues: lines.map { ($0["custom_id"]?.stringValue ?? "", $0["result"] ?? .null) })
    }

    @Test func requestsRunIntoAnthropicResults() async throws {
        let h = BatchHarness()
        let created = try await create(h, [Self.request("a", "one"), Self.request("b", "fail now"), Self.request("c", "x", model: "nobody/m")])
        // Counted before the runner has read a record: Anthropic shows them all as processing at once.
        #expect(created.total == 3 && !created.isEnded)
        await #expect(throws: GatewayError.self) { try await h.desk.batchResults(id: created.id, dialect: .anthropic) }
        let job = try await h.run(created.id)
        #expect(job.status == .partiallyCompleted)
        let batch = try await h.desk.batch(id: created.id, dialect: .anthropic)
        #expect(batch.isEnded && (batch.succeeded, batch.errored) == (1, 2) && batch.notes["unrun"] == nil)
        let results = try await results(h, created.id)
        #expect(results["a"]?["type"] == "succeeded" && results["a"]?["message"]?["type"] == "message")
        #expect(results["a"]?["message"]?["content"]?.arrayValue?.first?["text"] == "echo: one")
        #expect(results["a"]?["message"]?["model"] == "fake/m")
        #expect(results["b"]?["type"] == "errored" && results["b"]?["error"]?["error"]?["type"] == "invalid_request_error")
        #expect(results["b"]?["error"]?["error"]?["message"]?.stringValue?.contains("refused") == true)
        #expect(results["c"]?["error"]?["error"]?["type"] == "not_found_error")
        #expect(h.provider.prompts.sorted() == ["fail now", "one"])
    }

    @Test func aCancelListsTheRestAsCanceled() async throws {
        let h = BatchHarness(concurrency: 1, holding: true)
        let created = try await create(h, [Self.request("a", "one"), Self.request("b", "two"), Self.request("c", "three")])
        let running = Task { try await h.run(created.id) }
        while h.provider.prompts.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        let canceling = try await h.desk.cancelBatch(id: created.id, dialect: .anthropic)
        #expect(canceling.status == "Stopping" && canceling.cancelRequestedAt != nil)
        await #expect(throws: GatewayError.self) { try await h.desk.deleteBatch(id: created.id, dialect: .anthropic) }
        h.provider.release()
        _ = try await running.value
        let batch = try await h.desk.batch(id: created.id, dialect: .anthropic)
        #expect(batch.isEnded && batch.succeeded == 1 && batch.processed == 1 && batch.notes["unrun"] == "canceled")
        let results = try await results(h, created.id)
        #expect(results["a"]?["type"] == "succeeded" && results["b"]?["type"] == "canceled" && results["c"]?["type"] == "canceled")
        await #expect(throws: GatewayError.self) { try await h.desk.cancelBatch(id: created.id, dialect: .anthropic) }
    }

    @Test func anExhaustedBudgetErrorsTheRest() async throws {
        let h = BatchHarness(concurrency: 1, plugins: [AllowanceGate(allowance: 1)])
        let created = try await create(h, [Self.request("a", "one"), Self.request("b", "two"), Self.request("c", "three")])
        _ = try await h.run(created.id)
        let batch = try await h.desk.batch(id: created.id, dialect: .anthropic)
        #expect(batch.isEnded && batch.succeeded == 1 && batch.notes["unrun"] == "errored")
        let results = try await results(h, created.id)
        #expect(results["b"]?["type"] == "errored" && results["c"]?["type"] == "errored")
        #expect(results["c"]?["error"]?["error"]?["message"]?.stringValue?.contains("exhausted") == true)
        #expect(h.provider.prompts == ["one"])
    }

    @Test func anotherKeyFindsNothingAndDeleteHidesTheBatch() async throws {
        let h = BatchHarness()
        let created = try await create(h, [Self.request("a", "one")], key: "key-a")
        _ = try await h.run(created.id)
        for work in [
            { _ = try await h.desk.batch(id: created.id, dialect: .anthropic) },
            { _ = try await h.desk.batchResults(id: created.id, dialect: .anthropic) },
            { try await h.desk.deleteBatch(id: created.id, dialect: .anthropic) },
        ] as [@Sendable () async throws -> Void] {
            let error = await #expect(throws: GatewayError.self) { try await acting("key-b", work) }
            #expect(error?.kind == .notFound)
        }
        #expect(try await acting("key-b") { try await h.desk.batches(dialect: .anthropic) }.isEmpty)
        // The OpenAI door does not see it either.
        await #expect(throws: GatewayError.self) { try await acting("key-a") { try await h.desk.batch(id: created.id, dialect: .openai) } }
        try await acting("key-a") { try await h.desk.deleteBatch(id: created.id, dialect: .anthropic) }
        await #expect(throws: GatewayError.self) { try await acting("key-a") { try await h.desk.batch(id: created.id, dialect: .anthropic) } }
        #expect(try await acting("key-a") { try await h.desk.batches(dialect: .anthropic) }.isEmpty)
    }

    @Test func recordsAreReadBackFromTheStore() async throws {
        let h = BatchHarness()
        let created = try await create(h, [Self.request("q_1", "one")])
        let job = try #require(await h.store.job(id: created.id))
        let stored = try #require(h.files.text(job.inputURI))
        let records = try BatchInputParser.parse(Array(stored.utf8))
        #expect(records.map(\.form) == [.anthropic] && records.first?.recordId == "q_1" && records.first?.modelInput["model"] == "fake/m")
    }
}
