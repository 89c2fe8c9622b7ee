@testable import Engine
import NIOCore
import SwitchyardModel
import SwitchyardTestSupport
import Testing

/// What plugins are told about a finished call, for each entry point of the engine.
@Suite struct CallRecordTests {
    let plugin = RecordingPlugin()

    func engine(_ provider: ScriptedProvider, kind: ProviderKind = .openai, name: String = "openai") -> Engine {
        TestEngines.engine(
            TestEngines.provider(name, kind: kind, keys: [KeyConfig(name: "main", value: "sk-secret-value")], maxRetries: 1), provider,
            plugins: [plugin])
    }

    @Test func aCompletedCallRecordsItsResolutionAttemptsUsageAndStop() async throws {
        let provider = ScriptedProvider(failures: [GatewayError(.unavailable, "blip")])
        let engine = engine(provider)
        let call = engine.begin(TestEngines.descriptor(model: "openai/gpt-4o"))
        _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: call)
        call.finish(CallEnd(outcome: .success, status: 200))
        let record = try #require(plugin.ended.first)
        #expect(record.provider == "openai")
        #expect(record.model == "gpt-4o")
        #expect(record.keyName == "main")
        #expect(record.attemptLog.map { $0.error?.message } == ["blip", nil])
        #expect(record.usage == ScriptedProvider.defaultAnswer.usage)
        #expect(record.stopReason == "end_turn")
        #expect(record.firstTokenSeconds != nil)
        #expect(record.endedAt != nil && record.end?.status == 200)
        #expect(record.usageIsEstimate == false)
    }

    @Test func aStreamRecordsWhatItsEventsSaid() async throws {
        let engine = engine(ScriptedProvider())
        let call = engine.begin(TestEngines.descriptor("ConverseStream", stream: true))
        let events = try await engine.stream(TestEngines.chat(), modelId: "openai/gpt-4o", call: call)
        #expect(call.record.firstTokenSeconds == nil)
        for try await _ in events {}
        call.finish(CallEnd(outcome: .success, status: 200))
        let record = try #require(plugin.ended.first)
        #expect(record.usage == Usage(inputTokens: 9, outputTokens: 2))
        #expect(record.usageIsEstimate == false)
        #expect(record.stopReason == "end_turn")
        #expect(record.firstTokenSeconds != nil)
        #expect(record.attemptLog.count == 1 && record.attemptLog[0].endedAt != nil)
    }

    @Test func aStreamTheClientLeftEarlyGetsAnOutputEstimateFromTheTextSeen() async throws {
        let words = String(repeating: "abcd", count: 10)
        let provider = ScriptedProvider(answers: .init(events: [
            .messageStart(.assistant), .blockDelta(index: 0, .text(words)), .blockDelta(index: 0, .text(words + words)),
            .messageStop(.endTurn), .metadata(Usage(inputTokens: 5, outputTokens: 30), latencyMs: 1),
        ]))
        let engine = engine(provider)
        let call = engine.begin(TestEngines.descriptor("ConverseStream", stream: true))
        var iterator = try await engine.stream(TestEngines.chat(), modelId: "openai/gpt-4o", call: call).makeAsyncIterator()
        _ = try await iterator.next()
        _ = try await iterator.next()
        call.finish(CallEnd(outcome: .clientGone, status: 200))
        let record = try #require(plugin.ended.first)
        // 40 characters of text had passed: about ten tokens, and marked as a guess.
        #expect(record.usage == Usage(outputTokens: 10))
        #expect(record.usageIsEstimate)
        #expect(record.stopReason == nil)
        #expect(record.end?.outcome == .clientGone)
    }

    @Test func aStreamFailingInsideItsBodyRecordsTheError() async throws {
        let provider = ScriptedProvider([.failStream(after: [.messageStart(.assistant)], GatewayError(.streamFailed, "cut off"))])
        let engine = engine(provider)
        let call = engine.begin(TestEngines.descriptor("ConverseStream", stream: true))
        let events = try await engine.stream(TestEngines.chat(), modelId: "openai/gpt-4o", call: call)
        let error = await TestEngines.failure { for try await _ in events {} }
        #expect(error?.kind == .streamFailed)
        #expect(call.record.error?.message == "cut off")
        // The head had arrived, so the attempt itself succeeded and was not retried.
        #expect(provider.calls.count == 1)
        #expect(call.record.attemptLog.first?.error == nil)
    }

    @Test func anEmbeddingRecordsItsInputTokens() async throws {
        let engine = engine(ScriptedProvider())
        let call = engine.begin(TestEngines.descriptor("InvokeModel"))
        let answer = try await engine.embed(EmbeddingRequest(inputs: ["x"]), modelId: "openai/text-embedding-3-small", call: call)
        call.finish(CallEnd(outcome: .success, status: 200))
        let record = try #require(plugin.ended.first)
        #expect(record.usage == Usage(inputTokens: answer.inputTokens))
        #expect(record.model == "text-embedding-3-small")
        #expect(record.firstTokenSeconds != nil)
        #expect(record.stopReason == nil)
    }

    @Test func aTokenCountRecordsWhoCountedAndNoUsage() async throws {
        let provider = ScriptedProvider()
        let engine = engine(provider)
        let call = engine.begin(TestEngines.descriptor("CountTokens"))
        let count = try await engine.countTokens(TestEngines.chat(), modelId: "openai/gpt-4o", call: call)
        call.finish(CallEnd(outcome: .success, status: 200))
        #expect(count == provider.answers.tokenCount)
        let record = try #require(plugin.ended.first)
        #expect(provider.operations == ["countTokens"])
        #expect(record.provider == "openai" && record.keyName == "main" && record.attempts == 1)
        #expect(record.usage == nil)
    }

    @Test func aPassthroughRecordsWhatTheAdapterReadFromTheAnswer() async throws {
        let provider = ScriptedProvider(answers: .init(
            passthroughDialects: ["bedrock-runtime"], passthroughUsage: Usage(inputTokens: 12, outputTokens: 4), passthroughStop: "end_turn"))
        let engine = engine(provider, kind: .bedrock, name: "bedrock")
        let call = engine.begin(TestEngines.descriptor())
        let raw = RawRequest(dialect: "bedrock-runtime", operation: "converse", headers: [], body: ByteBuffer(string: "{}"))
        let answer = try #require(try await engine.passthrough(raw, modelId: "bedrock/amazon.nova-lite-v1:0", call: call))
        for try await _ in answer.body {}
        call.finish(CallEnd(outcome: .success, status: 200))
        let record = try #require(plugin.ended.first)
        #expect(record.usage == Usage(inputTokens: 12, outputTokens: 4))
        #expect(record.stopReason == "end_turn")
        #expect(record.provider == "bedrock" && record.model == "amazon.nova-lite-v1:0")
    }

    @Test func aCallerTraceIsJoined() async throws {
        let engine = engine(ScriptedProvider())
        let call = engine.begin(TestEngines.descriptor(traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        call.finish(CallEnd(outcome: .success, status: 200))
        let trace = try #require(plugin.ended.first?.trace)
        #expect(trace.traceId == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.parentSpanId == "00f067aa0ba902b7")
        #expect(trace.spanId != "00f067aa0ba902b7")
    }

    @Test func anAbandonedCallIsEndedAsClientGoneWhenItsContextGoesAway() async throws {
        let engine = engine(ScriptedProvider())
        do {
            let call = engine.begin(TestEngines.descriptor(requestId: "req-lost"))
            _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: call)
        }
        let record = try #require(plugin.ended.first)
        #expect(plugin.ended.count == 1)
        #expect(record.descriptor.requestId == "req-lost")
        #expect(record.end?.outcome == .clientGone)
        #expect(record.end?.status == 499)
        #expect(record.usage == ScriptedProvider.defaultAnswer.usage)
    }

    @Test func errorsInTheRecordNeverCarryAKeyValue() async throws {
        let provider = ScriptedProvider(failures: [
            GatewayError(.unavailable, "overloaded for key sk-secret-value", upstreamStatus: 503),
            GatewayError(.accessDenied, "key sk-secret-value is revoked", upstreamStatus: 401),
        ])
        let engine = engine(provider)
        let call = engine.begin(TestEngines.descriptor())
        let error = await TestEngines.failure { _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: call) }
        call.finish(CallEnd(outcome: .failure, status: 403), error: error)
        let record = try #require(plugin.ended.first)
        #expect(error?.message.contains("sk-secret-value") == false)
        #expect(record.error?.message.contains("sk-secret-value") == false)
        // Each attempt's error too: a plugin may log or export them.
        #expect(record.attemptLog.count == 2)
        #expect(record.attemptLog.allSatisfy { $0.error.map { !$0.message.contains("sk-secret-value") } == true })
    }

    @Test func newTraceIdsAreRandomLowerCaseHex() {
        let roots = (0..<64).map { _ in TraceParent.root() }
        let hex = Set("0123456789abcdef")
        for root in roots {
            #expect(root.traceId.count == 32 && root.spanId.count == 16)
            #expect(root.traceId.allSatisfy(hex.contains) && root.spanId.allSatisfy(hex.contains))
            #expect(TraceParent(header: root.header) != nil)
        }
        #expect(Set(roots.map(\.traceId)).count == roots.count)
        #expect(Set(roots.map(\.spanId)).count == roots.count)
        // Every hex digit turns up somewhere: the nibbles are not stuck.
        #expect(Set(roots.map(\.traceId).joined()) == hex)
    }
}
