import Engine
import Foundation
import Stores
import SwitchyardModel
import SwitchyardTestSupport
import Testing

@testable import AnswerCache

/// Embeddings whose similarity means something: a bag of words (lower-cased, common words dropped), hashed into
/// 64 buckets. A paraphrase with the same content words scores 1; another question scores far lower.
final class BagOfWordsEmbedder: ChatProvider, EmbeddingProvider, Sendable {
    static let ignored: Set<String> = ["what", "is", "the", "of", "a", "an", "tell", "me", "please", "whats", "s"]

    func complete(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatResponse {
        throw GatewayError(.validation, "embeddings only")
    }

    func stream(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatEventStream {
        throw GatewayError(.validation, "embeddings only")
    }

    func embed(_ request: EmbeddingRequest, target: UpstreamTarget) async throws -> EmbeddingResponse {
        EmbeddingResponse(vectors: request.inputs.map(Self.vector), inputTokens: 3, latencyMs: 1)
    }

    static func vector(_ text: String) -> [Double] {
        var buckets = [Double](repeating: 0, count: 64)
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        for word in words where !ignored.contains(word) {
            buckets[Int(word.unicodeScalars.reduce(UInt32(7)) { ($0 &* 31) &+ $1.value } % 64)] += 1
        }
        return buckets
    }
}

@Suite struct ScopedAnswerCacheTests {
    struct Harness {
        let engine: Engine
        let chat: ScriptedProvider
        let cache: ScopedAnswerCache
        let store: MemoryCacheEntryStore
    }

    static func harness(
        _ settings: CacheSettings = Self.settings(), policies: [String: CachePolicy] = [:], script: [ScriptedProvider.Step] = [],
        answers: ScriptedProvider.Answers = ScriptedProvider.Answers()
    ) async throws -> Harness {
        let store = MemoryCacheEntryStore()
        let cache = try await ScopedAnswerCache.open(settings: settings, store: store, policies: { policies[$0] }, logger: TestEngines.quietLogger)
        let chat = ScriptedProvider(script, answers: answers)
        let engine = Engine(
            providers: [
                ProviderRuntime(config: TestEngines.provider("openai"), adapter: chat),
                ProviderRuntime(config: TestEngines.provider("embedder"), adapter: BagOfWordsEmbedder()),
            ], aliases: [:], answerCache: cache, logger: TestEngines.quietLogger)
        return Harness(engine: engine, chat: chat, cache: cache, store: store)
    }

    static func settings(semantic: Bool = false) -> CacheSettings {
        var settings = CacheSettings()
        settings.configured = true
        settings.enabled = true
        if semantic {
            settings.semantic.enabled = true
            settings.semantic.embeddingModel = "embedder/bow"
        }
        return settings
    }

    static func call(_ engine: Engine, key: String? = nil, headers: [AnswerHeader] = [], stream: Bool = false) -> CallContext {
        var descriptor = TestEngines.descriptor(requestId: UUID().uuidString, model: "openai/gpt-4o-mini", stream: stream)
        descriptor.caller = key.map { CallerIdentity(keyId: $0, name: $0) }
        descriptor.cacheControls = headers
        return engine.begin(descriptor)
    }

    @discardableResult
    static func ask(_ h: Harness, _ text: String = "Capital of France?", key: String? = nil, headers: [AnswerHeader] = []) async throws
        -> CallRecord
    {
        let call = Self.call(h.engine, key: key, headers: headers)
        _ = try await h.engine.complete(TestEngines.chat(text), modelId: "openai/gpt-4o-mini", call: call)
        call.finish(CallEnd(outcome: .success, status: 200))
        return call.record
    }

    static func header(_ record: CallRecord, _ name: String) -> String? {
        record.answerHeaders.first { $0.name == name }?.value
    }

    @Test func aRepeatedQuestionIsAnsweredFromTheCache() async throws {
        let h = try await Self.harness()
        let first = try await Self.ask(h)
        #expect(first.cache?.status == .miss)
        #expect(Self.header(first, "x-swyd-cache") == "miss")
        let second = try await Self.ask(h)
        #expect(second.cache?.status == .hit)
        #expect(second.cache?.kind == .exact)
        #expect(Self.header(second, "x-swyd-cache-id") == second.cache?.entryId)
        #expect(h.chat.calls.count == 1)
        // A hit used no tokens and made no attempt: governance charges it nothing.
        #expect(second.usage == nil)
        #expect(second.attemptLog.isEmpty)
        #expect(second.model == "gpt-4o-mini")
    }

    @Test func twoKeysDoNotShareAnEntry() async throws {
        let h = try await Self.harness()
        try await Self.ask(h, key: "a")
        let other = try await Self.ask(h, key: "b")
        #expect(other.cache?.status == .miss)
        let anonymous = try await Self.ask(h)
        #expect(anonymous.cache?.status == .miss)
        #expect(try await Self.ask(h, key: "a").cache?.status == .hit)
        #expect(h.chat.calls.count == 3)
    }

    @Test func keysOfOneGroupShareButAPrivateKeyStillDoesNot() async throws {
        let group = CachePolicy(scope: "group:search")
        let h = try await Self.harness(policies: ["a": group, "b": group])
        try await Self.ask(h, key: "a")
        #expect(try await Self.ask(h, key: "b").cache?.status == .hit)
        #expect(try await Self.ask(h, key: "c").cache?.status == .miss)
    }

    @Test func aNamespaceNarrowsTheScopeAndNeverWidensIt() async throws {
        let h = try await Self.harness()
        try await Self.ask(h, key: "a", headers: [AnswerHeader("x-bf-cache-key", "shared")])
        #expect(try await Self.ask(h, key: "b", headers: [AnswerHeader("x-bf-cache-key", "shared")]).cache?.status == .miss)
        #expect(try await Self.ask(h, key: "a").cache?.status == .miss)
        #expect(try await Self.ask(h, key: "a", headers: [AnswerHeader("x-bf-cache-key", "shared")]).cache?.status == .hit)
    }

    @Test func noStoreAndOffDoWhatTheySay() async throws {
        let h = try await Self.harness()
        try await Self.ask(h, headers: [AnswerHeader("x-swyd-cache", "no-store")])
        #expect(try await Self.ask(h, headers: [AnswerHeader("x-swyd-cache", "off")]).cache?.status == .bypass)
        // `off` skipped the lookup but stored its answer.
        #expect(try await Self.ask(h).cache?.status == .hit)
        #expect(h.chat.calls.count == 2)
    }

    @Test func aControlTheKeyMayNotUseRefusesTheCall() async throws {
        let h = try await Self.harness(policies: ["a": CachePolicy(allowedControls: ["ttl"])])
        let error = await TestEngines.failure { try await Self.ask(h, key: "a", headers: [AnswerHeader("x-swyd-cache-no-store", "true")]) }
        #expect(error?.kind == .accessDenied)
        #expect(error?.message.contains("no-store") == true)
        #expect(h.chat.calls.isEmpty)
    }

    @Test func aBadControlValueIsAValidationError() async throws {
        let h = try await Self.harness()
        let error = await TestEngines.failure { try await Self.ask(h, headers: [AnswerHeader("x-swyd-cache-ttl", "soon")]) }
        #expect(error?.kind == .validation)
    }

    @Test func theCacheIsOffUnlessEnabled() async throws {
        var settings = Self.settings()
        settings.enabled = false
        let h = try await Self.harness(settings, policies: ["on": CachePolicy(enabled: true)])
        let record = try await Self.ask(h)
        #expect(record.cache?.status == .off)
        #expect(try await Self.ask(h).cache?.status == .off)
        // A key's policy turns it on for that key alone.
        try await Self.ask(h, key: "on")
        #expect(try await Self.ask(h, key: "on").cache?.status == .hit)
    }

    @Test func toolCallsAreNotStoredUnlessTheKeyOptsIn() async throws {
        let toolAnswer = ChatResponse(
            content: [.toolUse(ToolUse(id: "t1", name: "weather", input: ["city": "Paris"]))], stopReason: .toolUse, usage: Usage(), latencyMs: 1)
        let h = try await Self.harness(policies: ["opt": CachePolicy(cacheToolUse: true)], answers: .init(answer: toolAnswer))
        try await Self.ask(h)
        #expect(try await Self.ask(h).cache?.status == .miss)
        try await Self.ask(h, key: "opt")
        let hit = try await Self.ask(h, key: "opt")
        #expect(hit.cache?.status == .hit)
    }

    @Test func guardrailInterventionsAreNotStored() async throws {
        let blocked = ChatResponse(content: [.text("blocked")], stopReason: .guardrailIntervened, usage: Usage(), latencyMs: 1)
        let h = try await Self.harness(answers: .init(answer: blocked))
        try await Self.ask(h)
        #expect(try await Self.ask(h).cache?.status == .miss)
    }

    @Test func anAnswerOverTheSizeLimitIsNotStored() async throws {
        var settings = Self.settings()
        settings.maxEntryBytes = 50
        let big = ChatResponse(content: [.text(String(repeating: "x", count: 500))], stopReason: .endTurn, usage: Usage(), latencyMs: 1)
        let h = try await Self.harness(settings, answers: .init(answer: big))
        try await Self.ask(h)
        #expect(try await Self.ask(h).cache?.status == .miss)
    }

    @Test func aStreamedAnswerIsStoredAndReplayedAsTheSameEvents() async throws {
        let h = try await Self.harness()
        var first: [StreamEvent] = []
        let call = Self.call(h.engine, stream: true)
        for try await event in try await h.engine.stream(TestEngines.chat(), modelId: "openai/gpt-4o-mini", call: call) { first.append(event) }
        call.finish(CallEnd(outcome: .success, status: 200))
        try await Task.sleep(for: .milliseconds(20))
        var replayed: [StreamEvent] = []
        let again = Self.call(h.engine, stream: true)
        for try await event in try await h.engine.stream(TestEngines.chat(), modelId: "openai/gpt-4o-mini", call: again) { replayed.append(event) }
        again.finish(CallEnd(outcome: .success, status: 200))
        #expect(again.record.cache?.status == .hit)
        #expect(again.record.usage == nil)
        #expect(h.chat.calls.count == 1)
        let text = { (events: [StreamEvent]) in
            events.compactMap { if case .blockDelta(_, .text(let t)) = $0 { t } else { nil } }.joined()
        }
        #expect(text(replayed) == text(first))
        let usage = { (events: [StreamEvent]) in events.compactMap { if case .metadata(let u, _) = $0 { u } else { nil } }.first }
        #expect(usage(replayed) == usage(first))
        // The non-streaming form of the same question is the same entry.
        #expect(try await Self.ask(h, "hi").cache?.status == .hit)
    }

    @Test func aFailedStreamIsNotStored() async throws {
        let h = try await Self.harness(script: [
            .failStream(after: [.messageStart(.assistant), .blockDelta(index: 0, .text("Hel"))], GatewayError(.streamFailed, "cut"))
        ])
        let call = Self.call(h.engine, stream: true)
        let failure = await TestEngines.failure {
            for try await _ in try await h.engine.stream(TestEngines.chat(), modelId: "openai/gpt-4o-mini", call: call) {}
        }
        #expect(failure?.kind == .streamFailed)
        call.finish(CallEnd(outcome: .failure, status: 200))
        #expect(try await Self.ask(h, "hi").cache?.status == .miss)
    }

    @Test func aParaphraseIsASemanticHitAndAnotherQuestionIsNot() async throws {
        let h = try await Self.harness(Self.settings(semantic: true))
        try await Self.ask(h, "What is the capital of France?")
        let paraphrase = try await Self.ask(h, "Tell me the capital of France")
        #expect(paraphrase.cache?.status == .hit)
        #expect(paraphrase.cache?.kind == .semantic)
        #expect((paraphrase.cache?.similarity ?? 0) >= 0.95)
        #expect(Self.header(paraphrase, "x-swyd-cache-similarity") != nil)
        let different = try await Self.ask(h, "What is the capital of Germany?")
        #expect(different.cache?.status == .miss)
        #expect(h.chat.calls.count == 2)
    }

    @Test func aCallerMayRaiseTheThresholdButNeverLowerIt() async throws {
        let h = try await Self.harness(Self.settings(semantic: true))
        try await Self.ask(h, "capital France Paris river")
        // Three of four content words: cosine 0.866, below the configured 0.95.
        let lowered = try await Self.ask(h, "capital France Paris", headers: [AnswerHeader("x-swyd-cache-threshold", "0.5")])
        #expect(lowered.cache?.status == .miss)
        let raised = try await Self.ask(h, "the capital France Paris river", headers: [AnswerHeader("x-bf-cache-threshold", "0.99")])
        #expect(raised.cache?.status == .hit)
    }

    @Test func batchRecordsAreNeitherLookedUpNorStored() async throws {
        let h = try await Self.harness()
        for _ in 0..<2 {
            var descriptor = TestEngines.descriptor("BatchRecord", requestId: UUID().uuidString, model: "openai/gpt-4o-mini")
            descriptor.billing = .batch
            let call = h.engine.begin(descriptor)
            _ = try await h.engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o-mini", call: call)
            call.finish(CallEnd(outcome: .success, status: 200))
            #expect(call.record.cache == nil)
        }
        #expect(h.chat.calls.count == 2)
        #expect(try await Self.ask(h, "hi").cache?.status == .miss)
    }

    @Test func entriesSurviveReopeningTheStore() async throws {
        let h = try await Self.harness()
        try await Self.ask(h)
        try await Task.sleep(for: .milliseconds(20))
        let reopened = try await ScopedAnswerCache.open(settings: Self.settings(), store: h.store, policies: { _ in nil }, logger: TestEngines.quietLogger)
        #expect(reopened.stats.entries == 1)
    }

    @Test func purgeAndDeleteRemoveEntries() async throws {
        let h = try await Self.harness()
        try await Self.ask(h, key: "a")
        let id = try #require(try await Self.ask(h, key: "a").cache?.entryId)
        #expect(try await h.cache.delete(id: id))
        #expect(try await Self.ask(h, key: "a").cache?.status == .miss)
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await h.cache.purge(scope: "vk:a") == 1)
        #expect(h.cache.stats.entries == 0)
    }
}
