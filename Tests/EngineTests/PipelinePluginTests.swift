import Engine
import NIOCore
import SwitchyardModel
import SwitchyardTestSupport
import Testing

/// The plugin chain: order, exactly one end per call, and refusals.
@Suite struct PipelinePluginTests {
    @Test func pluginsSeeTheStartInOrderAndTheEndExactlyOnce() async throws {
        let journal = PluginJournal()
        let first = RecordingPlugin("first", journal: journal)
        let second = RecordingPlugin("second", journal: journal)
        let engine = TestEngines.engine(TestEngines.provider(), ScriptedProvider(), plugins: [first, second])
        let call = engine.begin(TestEngines.descriptor(requestId: "req-order"))
        _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: call)
        call.finish(CallEnd(outcome: .success, status: 200))
        // A door may end a call on several paths; only the first end counts.
        call.finish(CallEnd(outcome: .failure, status: 500))
        #expect(journal.lines == ["first start", "second start", "first end", "second end"])
        #expect(first.ended.count == 1 && second.ended.count == 1)
        #expect(first.ended.first?.end?.outcome == .success)
        #expect(first.ended.first?.descriptor.requestId == "req-order")
        #expect(first.planned.first.map { ($0.provider, $0.model) } ?? ("", "") == ("openai", "gpt-4o"))
        #expect(first.planned.first?.request?.messages.count == 1)
    }

    @Test func fallbacksAreNotPlannedAgainAsANewCall() async throws {
        let plugin = RecordingPlugin()
        let primary = ScriptedProvider(failures: [GatewayError(.unavailable, "down")])
        let engine = TestEngines.engine(TestEngines.provider(maxRetries: 0), primary, plugins: [plugin])
        let call = engine.begin(TestEngines.descriptor())
        _ = try await engine.complete(TestEngines.chat(fallbacks: ["openai/backup"]), modelId: "openai/gpt-4o", call: call)
        #expect(plugin.planned.count == 1)
        #expect(primary.calls.count == 2)
    }

    @Test func aRefusalStopsTheCallBeforeAnyUpstreamAndNoFallbackIsTried() async throws {
        let journal = PluginJournal()
        let refusal = GatewayError(.throttled, "budget exhausted")
        let gate = RecordingPlugin("gate", journal: journal, refusing: refusal)
        let later = RecordingPlugin("later", journal: journal)
        let primary = ScriptedProvider()
        let backup = ScriptedProvider()
        let engine = TestEngines.engine(
            [(TestEngines.provider("openai"), primary), (TestEngines.provider("backup"), backup)], plugins: [gate, later])
        let call = engine.begin(TestEngines.descriptor())
        let error = await TestEngines.failure {
            _ = try await engine.complete(TestEngines.chat(fallbacks: ["backup/m"]), modelId: "openai/gpt-4o", call: call)
        }
        #expect(error?.kind == .throttled)
        #expect(error?.message == "budget exhausted")
        #expect(error?.refusedByPlugin == true)
        #expect(primary.calls.isEmpty && backup.calls.isEmpty)
        #expect(call.record.attempts == 0)
        #expect(call.record.error?.refusedByPlugin == true)
        call.finish(CallEnd(outcome: .failure, status: 429, errorCode: "ThrottlingException"), error: error)
        // The chain stops at the refusing plugin, but every plugin still sees the end.
        #expect(journal.lines == ["gate start", "gate end", "later end"])
        #expect(later.ended.first?.error?.refusedByPlugin == true)
    }

    @Test func everyEntryPointAsksThePluginsFirst() async throws {
        let gate = RecordingPlugin(refusing: GatewayError(.accessDenied, "not for you"))
        let provider = ScriptedProvider(answers: .init(passthroughDialects: ["bedrock-runtime"]))
        let engine = TestEngines.engine(TestEngines.provider("bedrock", kind: .bedrock), provider, plugins: [gate])
        let request = TestEngines.chat()
        let model = "bedrock/anthropic.claude-3-haiku-20240307-v1:0"
        let entryPoints: [(String, @Sendable (CallContext) async throws -> Void)] = [
            ("complete", { _ = try await engine.complete(request, modelId: model, call: $0) }),
            ("stream", { _ = try await engine.stream(request, modelId: model, call: $0) }),
            ("countTokens", { _ = try await engine.countTokens(request, modelId: model, call: $0) }),
            ("embed", { _ = try await engine.embed(EmbeddingRequest(inputs: ["x"]), modelId: model, call: $0) }),
            ("passthrough", {
                let raw = RawRequest(dialect: "bedrock-runtime", operation: "converse", headers: [], body: ByteBuffer(string: "{}"))
                _ = try await engine.passthrough(raw, modelId: model, call: $0)
            }),
        ]
        for (name, entry) in entryPoints {
            let error = await TestEngines.failure { try await entry(engine.begin(TestEngines.descriptor(name))) }
            #expect(error?.kind == .accessDenied, "\(name)")
            #expect(error?.refusedByPlugin == true, "\(name)")
        }
        #expect(gate.planned.count == entryPoints.count)
        #expect(provider.calls.isEmpty)
    }
}
