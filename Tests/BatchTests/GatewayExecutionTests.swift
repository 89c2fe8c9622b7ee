import Foundation
import Stores
import SwitchyardModel
import Testing

@testable import Batch

@Suite struct GatewayExecutionTests {
    let p = BatchHarness.prompt

    @Test func runsEveryRecordAndWritesTheOutput() async throws {
        let h = BatchHarness()
        let id = try await h.create([p("a", "one"), p("b", "two"), p("c", "three")])
        #expect(try await h.store.job(id: id)?.status == .submitted)
        let job = try await h.run(id)
        #expect(job.status == .completed && job.endTime != nil && job.message == nil)
        #expect(job.statistics == BatchStatistics(totalRecordCount: 3, processedRecordCount: 3, successRecordCount: 3, inputTokenCount: 9, outputTokenCount: 6))
        let lines = h.output(id)
        #expect(lines.map { $0["recordId"] } == ["a", "b", "c"])
        #expect(lines[1]["modelOutput"] == ["completion": "echo: two"])
        #expect(lines[1]["modelInput"] == ["prompt": "two"])
        let manifest = try #require(h.files.text("s3://out/results/\(id)/manifest.json.out"))
        #expect(manifest.contains(#""successRecordCount":3"#) && manifest.contains(#""totalRecordCount":3"#))
    }

    @Test func someErrorsMakeItPartiallyCompleted() async throws {
        let h = BatchHarness()
        let id = try await h.create([p("a", "one"), p("b", "fail this"), "not json"])
        let job = try await h.run(id)
        #expect(job.status == .partiallyCompleted)
        #expect(job.statistics.successRecordCount == 1 && job.statistics.errorRecordCount == 2)
        let lines = h.output(id)
        #expect(lines[1]["error"]?["errorCode"] == 400)
        #expect(lines[1]["error"]?["errorMessage"]?.stringValue?.contains("refused") == true)
        #expect(lines[2]["error"]?["errorCode"] == 400)
        #expect(job.message?.contains("2 of 3") == true)
    }

    @Test func onlyErrorsMakeItFailed() async throws {
        let h = BatchHarness()
        let id = try await h.create([p("a", "fail 1"), p("b", "fail 2")])
        let job = try await h.run(id)
        #expect(job.status == .failed && job.message != nil)
    }

    @Test func unreadableInputFailsWithAMessage() async throws {
        let h = BatchHarness()
        let info = try await h.desk.create(h.spec(input: "s3://in/missing.jsonl"))
        let id = String(info.arn.split(separator: "/").last!)
        let job = try await h.run(id)
        #expect(job.status == .failed)
        #expect(job.message?.contains("s3://in/missing.jsonl") == true)
        #expect(job.endTime != nil)
    }

    @Test func aRestartSkipsFinishedRecords() async throws {
        let h = BatchHarness()
        let id = try await h.create([p("a", "one"), p("b", "two"), p("c", "three")])
        // As if the gateway died after record b was stored.
        try await h.store.update(id: id) { $0.status = .inProgress }
        _ = try await h.store.addResult(jobId: id, BatchRecordResult(index: 1, line: #"{"recordId":"b","kept":true}"#, succeeded: true))
        let job = try await h.run(id)
        #expect(job.status == .completed && job.statistics.processedRecordCount == 3)
        #expect(h.provider.prompts.sorted() == ["one", "three"])
        #expect(h.output(id).map { $0["recordId"] } == ["a", "b", "c"])
        #expect(h.output(id)[1]["kept"] == true)
    }

    @Test func aStopIsHonouredBetweenRecords() async throws {
        let h = BatchHarness(concurrency: 1, holding: true)
        let id = try await h.create([p("a", "one"), p("b", "two"), p("c", "three")])
        let running = Task { try await h.run(id) }
        while h.provider.prompts.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        try await h.desk.stop(id: id)
        #expect(try await h.store.job(id: id)?.status == .stopping)
        h.provider.release()
        let job = try await running.value
        #expect(job.status == .stopped && job.endTime != nil)
        // The record in flight when the stop came finishes; no other starts.
        #expect(h.provider.prompts == ["one"])
        #expect(h.output(id).map { $0["recordId"] } == ["a"])
    }

    @Test func aJobPastItsTimeoutExpires() async throws {
        let h = BatchHarness()
        let id = try await h.create([p("a", "one")])
        try await h.store.update(id: id) { $0.submitTime = Date().addingTimeInterval(-200 * 3600) }
        let job = try await h.run(id)
        #expect(job.status == .expired)
        #expect(job.message?.contains("timeout") == true)
        #expect(h.provider.prompts.isEmpty)
    }

    @Test func shutdownLeavesTheJobToResume() async throws {
        let h = BatchHarness()
        let id = try await h.create([p("a", "one")])
        h.shutdown.set()
        let job = try await h.run(id)
        #expect(!job.status.isTerminal)
        #expect(h.provider.prompts.isEmpty)
    }

    @Test func openAIAndGeminiRecordsAnswerInTheirOwnShape() async throws {
        let h = BatchHarness()
        let id = try await h.create([
            #"{"custom_id": "o1", "body": {"model": "x", "messages": [{"role": "user", "content": "hello"}]}}"#,
            #"{"request": {"contents": [{"role": "user", "parts": [{"text": "hola"}]}]}, "metadata": {"key": "g1"}}"#,
            #"{"custom_id": "e1", "url": "/v1/embeddings", "body": {"input": "vector me"}}"#,
        ])
        let job = try await h.run(id)
        #expect(job.status == .completed)
        let lines = h.output(id)
        #expect(lines[0]["recordId"] == "o1")
        #expect(lines[0]["modelOutput"]?["choices"]?.arrayValue?.first?["message"]?["content"] == "echo: hello")
        #expect(lines[1]["recordId"] == "g1")
        #expect(lines[1]["modelOutput"]?["candidates"]?.arrayValue?.first?["content"]?["parts"] == [["text": "echo: hola"]])
        #expect(lines[2]["modelOutput"]?["data"]?.arrayValue?.first?["embedding"] == [0.5, 0.25])
    }
}
