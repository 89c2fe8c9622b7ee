import Engine
import Foundation
import Logging
import Stores
import SwitchyardModel
import SwitchyardTestSupport
import Synchronization
import Testing

@testable import Batch

/// A native batch goes through the engine's pipeline: a plugin sees the submission, the polls and the result
/// fetch as calls of door `batch`, and every record the provider answered as a `BatchRecord` call with its usage.
@Suite struct NativeBatchPipelineTests {
    /// Keeps every call the plugin chain sees.
    final class RecordingPlugin: CallPlugin {
        let ended = Mutex<[CallRecord]>([])
        func callEnded(_ record: CallRecord) { ended.withLock { $0.append(record) } }
        var records: [CallRecord] { ended.withLock { $0 } }
    }

    /// A provider batch API that has finished a batch at the first poll: the first record answered, the rest failed.
    final class FinishedBatchAPI: BatchProvider {
        let submitted = Mutex<[BatchSubmission]>([])
        var nativeRecordForm: String? { nil }

        func submit(_ submission: BatchSubmission, target: UpstreamTarget) async throws -> String {
            submitted.withLock { $0.append(submission) }
            return "batch_1"
        }

        func state(of batchId: String, target: UpstreamTarget) async throws -> BatchRemoteState {
            BatchRemoteState(phase: .ended, total: submitted.withLock { $0.first?.records.count ?? 0 })
        }

        func outcomes(of batchId: String, target: UpstreamTarget) async throws -> [BatchRemoteOutcome] {
            let ids = submitted.withLock { $0.first?.records.map(\.customId) ?? [] }
            return ids.enumerated().map { index, id in
                guard index == 0 else { return BatchRemoteOutcome(customId: id, result: .failure(code: 400, message: "bad request")) }
                let answer = ChatResponse(
                    content: [.text("hi")], stopReason: .endTurn, usage: Usage(inputTokens: 7, outputTokens: 5, cacheReadTokens: 2), latencyMs: 1)
                return BatchRemoteOutcome(customId: id, result: .success(native: .object([:]), response: answer))
            }
        }

        func cancel(_ batchId: String, target: UpstreamTarget) async throws {}
    }

    @Test func submissionPollsResultsAndEveryRecordReachThePlugins() async throws {
        let store = MemoryBatchJobStore()
        let files = MemoryBatchFiles()
        let plugin = RecordingPlugin()
        let api = FinishedBatchAPI()
        let logger = Logger(label: "batch-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        // Named `oai`, but OpenAI's own API: the one rule gives it the native batch API, as it gives it files.
        let config = ProviderConfig(name: "oai", kind: .openai, baseURL: "https://api.openai.com/v1", keys: [KeyConfig(name: "k1", value: "sk-one")])
        let engine = Engine(
            providers: [ProviderRuntime(config: config, adapter: ScriptedChatProvider(), services: ProviderServices(batch: api))],
            aliases: [:], plugins: [plugin], logger: logger)
        let desk = BatchDesk(store: store, engine: engine, providers: [config], wakeups: BatchWakeups())
        let translator = BatchRecordTranslator(bedrock: PromptRecordCodec())
        var native = NativeBatchExecution(
            store: store, engine: engine, translator: translator, loader: BatchInputLoader(files: files),
            writer: BatchOutputWriter(files: files), shutdown: BatchShutdown(), logger: logger)
        native.firstPoll = .milliseconds(1)

        files.put("s3://in/batch/input.jsonl", [BatchHarness.prompt("a", "one"), BatchHarness.prompt("b", "two")].joined(separator: "\n"), namespace: "oai")
        let info = try await desk.create(
            BatchJobSpec(
                name: "native", roleArn: "not-required", clientRequestToken: nil, modelId: "oai/gpt-4o-mini", inputURI: "s3://in/batch/input.jsonl",
                outputURI: "s3://out/results/", timeoutHours: nil, tags: [:], invocationType: nil, provider: "oai", region: "us-west-2"))
        let id = String(info.arn.split(separator: "/").last!)
        try await native.run(try #require(await store.job(id: id)))
        let finished = try #require(await store.job(id: id))
        #expect(finished.status == .partiallyCompleted, "\(finished.status) \(finished.message ?? "")")

        let records = plugin.records
        #expect(records.map(\.descriptor.operation) == ["BatchSubmit", "BatchStatus", "BatchResults", "BatchRecord", "BatchRecord"])
        for record in records {
            #expect(record.descriptor.door == "batch")
            #expect(record.descriptor.batchJobId == id)
            #expect(record.descriptor.billing == .batch)
            #expect(record.provider == "oai")
            #expect(record.model == "gpt-4o-mini")
            #expect(record.keyName == "k1")
        }
        #expect(Set(records.map(\.descriptor.requestId)).count == records.count, "every call has an id of its own")
        try #require(records.count == 5)
        let answered = records[3]
        #expect(answered.end?.outcome == .success)
        #expect(answered.usage == Usage(inputTokens: 7, outputTokens: 5, cacheReadTokens: 2))
        #expect(answered.stopReason == "end_turn")
        let failed = records[4]
        #expect(failed.end?.outcome == .failure)
        #expect(failed.end?.status == 400)
        #expect(failed.usage == nil)
        #expect(failed.error?.message == "bad request")
    }

    /// A gateway that restarts after it reported a batch's records but before the job was finished reads the
    /// results again: the records are not reported (logged, counted, charged) a second time.
    @Test func resultsReadAgainAreReportedOnce() async throws {
        let store = MemoryBatchJobStore()
        let files = MemoryBatchFiles()
        let plugin = RecordingPlugin()
        let api = FinishedBatchAPI()
        let logger = Logger(label: "batch-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        let config = ProviderConfig(name: "openai", kind: .openai, baseURL: "https://api.openai.com/v1", keys: [KeyConfig(name: "k1", value: "sk-one")])
        let engine = Engine(
            providers: [ProviderRuntime(config: config, adapter: ScriptedChatProvider(), services: ProviderServices(batch: api))],
            aliases: [:], plugins: [plugin], logger: logger)
        let desk = BatchDesk(store: store, engine: engine, providers: [config], wakeups: BatchWakeups())
        var native = NativeBatchExecution(
            store: store, engine: engine, translator: BatchRecordTranslator(bedrock: PromptRecordCodec()), loader: BatchInputLoader(files: files),
            writer: BatchOutputWriter(files: files), shutdown: BatchShutdown(), logger: logger)
        native.firstPoll = .milliseconds(1)
        files.put("s3://in/batch/input.jsonl", [BatchHarness.prompt("a", "one"), BatchHarness.prompt("b", "two")].joined(separator: "\n"), namespace: "openai")
        let info = try await desk.create(
            BatchJobSpec(
                name: "native", roleArn: "not-required", clientRequestToken: nil, modelId: "gpt-4o-mini", inputURI: "s3://in/batch/input.jsonl",
                outputURI: "s3://out/results/", timeoutHours: nil, tags: [:], invocationType: nil, provider: "openai", region: "us-west-2"))
        let id = String(info.arn.split(separator: "/").last!)
        try await native.run(try #require(await store.job(id: id)))
        let reported = { plugin.records.filter { $0.descriptor.operation == "BatchRecord" }.count }
        #expect(reported() == 2)

        // What a restart before the job's end does: collect the same results again.
        let job = try #require(await store.job(id: id))
        try await native.collect(job, api: api, remoteId: "batch_1", phase: .ended, provider: "openai", model: "gpt-4o-mini")
        #expect(reported() == 2)
        #expect(job.runnerState[BatchJobState.recordsReported] == "1")
    }

    @Test func theBatchRuleIsTheFilesRule() throws {
        let oai = ProviderConfig(name: "oai", kind: .openai, baseURL: "https://api.openai.com/v1")
        let claude = ProviderConfig(name: "claude", kind: .anthropic, baseURL: "https://api.anthropic.com")
        let proxy = ProviderConfig(name: "proxy", kind: .openai, baseURL: "http://127.0.0.1:8000/v1")
        let providers = [oai, claude, proxy]
        #expect(try BatchRunnerKind.decide(header: "oai", providers: providers) == .native(provider: "oai", kind: .openai))
        #expect(try BatchRunnerKind.decide(header: "claude", providers: providers) == .native(provider: "claude", kind: .anthropic))
        #expect(try BatchRunnerKind.decide(header: "proxy", providers: providers) == .gateway(provider: "proxy"))
        #expect(providers.map(\.isVendorAPI) == [true, true, false])
    }
}
