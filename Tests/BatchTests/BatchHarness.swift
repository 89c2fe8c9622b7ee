import Engine
import Foundation
import Logging
import Stores
import SwitchyardModel
import SwitchyardTestSupport
import Testing

@testable import Batch

/// A desk and a gateway-run execution over memory stores and a scripted provider named `fake`.
struct BatchHarness {
    let store = MemoryBatchJobStore()
    let files = MemoryBatchFiles()
    let provider: ScriptedChatProvider
    let engine: Engine
    let desk: BatchDesk
    let execution: GatewayBatchExecution
    let shutdown = BatchShutdown()

    init(concurrency: Int = 2, holding: Bool = false, plugins: [any CallPlugin] = [], callers: (any CallerDirectory)? = nil) {
        provider = ScriptedChatProvider(holding: holding)
        let config = ProviderConfig(name: "fake", kind: .openai, baseURL: "http://127.0.0.1:9", maxRetries: 0)
        let logger = Logger(label: "batch-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        engine = Engine(providers: [ProviderRuntime(config: config, adapter: provider)], aliases: [:], plugins: plugins, logger: logger)
        desk = BatchDesk(store: store, engine: engine, providers: [config], wakeups: BatchWakeups(), files: files)
        execution = GatewayBatchExecution(
            store: store, engine: engine, translator: BatchRecordTranslator(bedrock: PromptRecordCodec()),
            loader: BatchInputLoader(files: files), writer: BatchOutputWriter(files: files), owners: BatchOwners(callers: callers), concurrency: concurrency,
            shutdown: shutdown, logger: logger)
    }

    func spec(name: String = "job-1", token: String? = nil, input: String = "s3://in/batch/input.jsonl", timeout: Int? = nil) -> BatchJobSpec {
        BatchJobSpec(
            name: name, roleArn: "not-required", clientRequestToken: token, modelId: "fake/m", inputURI: input, outputURI: "s3://out/results/",
            timeoutHours: timeout, tags: [:], invocationType: nil, provider: nil, region: "us-west-2")
    }

    /// Creates a job over `lines` and returns its id.
    func create(_ lines: [String], name: String = "job-1") async throws -> String {
        files.put("s3://in/batch/input.jsonl", lines.joined(separator: "\n"))
        let info = try await desk.create(spec(name: name))
        return String(info.arn.split(separator: "/").last!)
    }

    func run(_ id: String) async throws -> BatchJob {
        try await execution.run(try #require(await store.job(id: id)))
        return try #require(await store.job(id: id))
    }

    func output(_ id: String) -> [JSONValue] {
        (files.text("s3://out/results/\(id)/input.jsonl.out") ?? "").split(separator: "\n").map {
            try! JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
        }
    }

    static func prompt(_ id: String, _ text: String) -> String {
        #"{"recordId":"\#(id)","modelInput":{"prompt":"\#(text)"}}"#
    }
}
