import Engine
import Foundation
import OpenAIDialect
import Stores
import SwitchyardModel
import Testing

@testable import Batch

/// `/v1/batches` jobs on the desk and the gateway runner: each line routed by its own model, answers written as
/// OpenAI's output and error files under ids that do not change when the job is finished again.
@Suite struct OpenAIBatchTests {
    static let input = OpenAIFileKey.Parsed(token: "aaaaaaaaaaaaaaaaaaaaaaaa", purpose: "batch", filename: "in.jsonl")

    static func line(_ id: String, _ text: String, model: String = "fake/m", url: String = "/v1/chat/completions") -> String {
        #"{"custom_id":"\#(id)","method":"POST","url":"\#(url)","body":{"model":"\#(model)","messages":[{"role":"user","content":"\#(text)"}]}}"#
    }

    func create(_ h: BatchHarness, _ lines: [String], endpoint: String = "/v1/chat/completions", key: String? = nil) async throws -> DoorBatch {
        h.files.put(Self.input.uri, lines.joined(separator: "\n"))
        let notes = ["endpoint": endpoint, "inputFileId": Self.input.fileId, "metadata": #"{"team":"ml"}"#]
        return try await acting(key) {
            try await h.desk.createBatch(DoorBatchCreate(dialect: .openai, input: .file(uri: Self.input.uri), timeoutHours: 24, notes: notes))
        }
    }

    func acting<T: Sendable>(_ key: String?, _ work: () async throws -> T) async rethrows -> T {
        try await CallerScope.$current.withValue(key.map { CallerIdentity(keyId: $0, name: $0) }, operation: work)
    }

    func jobId(_ batch: DoorBatch) -> String { batch.id }

    func batch(_ h: BatchHarness, _ id: String) async throws -> DoorBatch { try await h.desk.batch(id: id, dialect: .openai) }

    func lines(_ h: BatchHarness, _ jobId: String, errors: Bool) -> [JSONValue] {
        (h.files.text(OpenAIFileKey.batchOutput(jobId: jobId, errors: errors).uri) ?? "").split(separator: "\n").map {
            try! JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
        }
    }

    @Test func linesRunOnTheirOwnModelsIntoTheOutputFile() async throws {
        let h = BatchHarness()
        let created = try await create(h, [Self.line("a", "one"), Self.line("b", "two")])
        #expect(created.status == "Submitted" && created.notes["inputFileId"] == Self.input.fileId && created.notes["metadata"] == #"{"team":"ml"}"#)
        let id = jobId(created)
        let job = try await h.run(id)
        #expect(job.status == .completed && job.modelId.isEmpty)
        let batch = try await batch(h, created.id)
        #expect(batch.status == "Completed" && batch.isEnded && (batch.total, batch.succeeded, batch.errored) == (2, 2, 0))
        #expect(batch.notes["outputFileId"] == "file-\(id)output" && batch.notes["errorFileId"] == nil && batch.startedAt != nil && batch.endedAt != nil)
        let output = lines(h, id, errors: false)
        #expect(output.map { $0["custom_id"] } == ["a", "b"])
        #expect(output[1]["id"] == .string("batch_req_\(id)_1") && output[1]["error"] == .null)
        #expect(output[1]["response"]?["status_code"] == 200 && output[1]["response"]?["request_id"] == .string("\(id)-1"))
        #expect(output[1]["response"]?["body"]?["choices"]?.arrayValue?.first?["message"]?["content"] == "echo: two")
        #expect(h.files.text(OpenAIFileKey.batchOutput(jobId: id, errors: true).uri) == nil)
    }

    @Test func failuresGoToTheErrorFile() async throws {
        let h = BatchHarness()
        let created = try await create(
            h, [Self.line("ok", "fine"), Self.line("refused", "fail now"), Self.line("nowhere", "x", model: "nobody/m"),
                Self.line("wrong-url", "x", url: "/v1/embeddings"), #"{"recordId":"bedrock","modelInput":{}}"#])
        let id = jobId(created)
        _ = try await h.run(id)
        let batch = try await batch(h, created.id)
        #expect(batch.status == "PartiallyCompleted" && (batch.total, batch.succeeded, batch.errored) == (5, 1, 4))
        #expect(batch.notes["errorFileId"] == "file-\(id)error")
        let errors = Dictionary(uniqueKeysWithValues: lines(h, id, errors: true).map { ($0["custom_id"]?.stringValue ?? "", $0) })
        #expect(errors["refused"]?["response"]?["status_code"] == 400)
        #expect(errors["refused"]?["response"]?["body"]?["error"]?["message"]?.stringValue?.contains("refused") == true)
        #expect(errors["nowhere"]?["response"]?["status_code"] == 404)
        #expect(errors["nowhere"]?["response"]?["body"]?["error"]?["code"] == "model_not_found")
        #expect(errors["wrong-url"]?["response"] == .null && errors["wrong-url"]?["error"]?["code"] == "invalid_request")
        #expect(errors["bedrock"]?["error"]?["message"]?.stringValue?.contains("not an OpenAI batch request") == true)
        #expect(h.provider.prompts.sorted() == ["fail now", "fine"])
    }

    @Test func embeddingLines() async throws {
        let h = BatchHarness()
        let line = #"{"custom_id":"e","method":"POST","url":"/v1/embeddings","body":{"model":"fake/e","input":["x","y"]}}"#
        let created = try await create(h, [line], endpoint: "/v1/embeddings")
        _ = try await h.run(jobId(created))
        let output = lines(h, jobId(created), errors: false)
        #expect(output.first?["response"]?["body"]?["data"]?.arrayValue?.last?["embedding"] == [0.5, 0.25])
    }

    @Test func cancelStopsBetweenLines() async throws {
        let h = BatchHarness(concurrency: 1, holding: true)
        let created = try await create(h, [Self.line("a", "one"), Self.line("b", "two"), Self.line("c", "three")])
        let running = Task { try await h.run(jobId(created)) }
        while h.provider.prompts.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        let cancelling = try await h.desk.cancelBatch(id: created.id, dialect: .openai)
        #expect(cancelling.status == "Stopping" && cancelling.cancelRequestedAt != nil)
        h.provider.release()
        _ = try await running.value
        let batch = try await batch(h, created.id)
        #expect(batch.status == "Stopped" && batch.message == nil && batch.endedAt != nil && (batch.total, batch.succeeded, batch.errored) == (3, 1, 0))
        #expect(lines(h, jobId(created), errors: false).count == 1)
        await #expect(throws: GatewayError.self) { try await h.desk.cancelBatch(id: created.id, dialect: .openai) }
    }

    @Test func anotherKeyFindsNothing() async throws {
        let h = BatchHarness()
        let created = try await create(h, [Self.line("a", "one")], key: "key-a")
        #expect(try await acting("key-a") { try await h.desk.batches(dialect: .openai) }.map(\.id) == [created.id])
        await #expect(throws: GatewayError.self) { try await acting("key-b") { try await batch(h, created.id) } }
        await #expect(throws: GatewayError.self) { try await acting("key-b") { try await h.desk.cancelBatch(id: created.id, dialect: .openai) } }
        #expect(try await acting("key-b") { try await h.desk.batches(dialect: .openai) }.isEmpty)
    }

    @Test func bedrockJobsAreNoBatches() async throws {
        let h = BatchHarness()
        let id = try await h.create([BatchHarness.prompt("a", "one")])
        await #expect(throws: GatewayError.self) { try await batch(h, id) }
        #expect(try await h.desk.batches(dialect: .openai).isEmpty)
        #expect(try await h.desk.batches(dialect: .anthropic).isEmpty)
    }

    @Test func listNewestFirst() async throws {
        let h = BatchHarness()
        var made: [String] = []
        for _ in 0..<3 {
            made.append(try await create(h, [Self.line("a", "one")]).id)
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(try await h.desk.batches(dialect: .openai).map(\.id) == made.reversed())
    }

    @Test func fileKeys() {
        let upload = OpenAIFileKey.upload(purpose: "batch", filename: "../dir/my\u{0}file.jsonl")
        #expect(upload.filename == "myfile.jsonl" && upload.token.count == 24)
        #expect(OpenAIFileKey.parse(key: upload.key) == upload)
        #expect(OpenAIFileKey.token(fileId: upload.fileId) == upload.token)
        #expect(OpenAIFileKey.token(fileId: "file-") == nil && OpenAIFileKey.token(fileId: "file-UPPER") == nil && OpenAIFileKey.token(fileId: "x") == nil)
        #expect(OpenAIFileKey.batchOutput(jobId: "abcdefghijkl", errors: true).fileId == "file-abcdefghijklerror")
        #expect(OpenAIFileKey.parse(key: "loose-object") == nil)
        #expect(OpenAIFileKey.upload(purpose: "batch", filename: "").filename == "file")
    }
}
