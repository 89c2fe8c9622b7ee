import Engine
import Logging
import SwitchyardModel
import SwitchyardTestSupport
import Testing

@Suite struct EngineRetryTests {
    let request = ChatRequest(messages: [Message(role: .user, content: [.text("hi")])])

    func engine(_ provider: ScriptedProvider, keys: [KeyConfig], timeoutSeconds: Double = 10, maxRetries: Int = 2) -> Engine {
        let config = ProviderConfig(
            name: "openai", kind: .openai, baseURL: "http://127.0.0.1:1", keys: keys, timeoutSeconds: timeoutSeconds,
            maxRetries: maxRetries, retryBackoffMs: 1)
        return Engine(providers: [ProviderRuntime(config: config, adapter: provider)], aliases: [:], logger: Logger(label: "test"))
    }

    /// A call no plugin observes, optionally pinned to a key.
    func call(pinned: String? = nil) -> CallContext {
        .detached(CallDescriptor(requestId: "test", door: "test", operation: "Converse", route: "test", pinnedKey: pinned))
    }

    func failure(_ call: () async throws -> Void) async -> GatewayError? {
        do {
            try await call()
            return nil
        } catch {
            return error as? GatewayError
        }
    }

    @Test func everyEntryPointHoldsAPinnedKeyToItsAllowListAndWeight() async {
        let provider = ScriptedProvider()
        let engine = engine(provider, keys: [
            KeyConfig(name: "cheap", value: "sk-cheap", models: ["gpt-4o-mini"]), KeyConfig(name: "disabled", value: "sk-off", weight: 0),
        ])
        for (pinned, kind) in [("cheap", GatewayError.Kind.notFound), ("disabled", .validation)] {
            let options = call(pinned: pinned)
            let model = pinned == "cheap" ? "openai/o1-pro" : "openai/gpt-4o-mini"
            #expect(await failure { _ = try await engine.complete(request, modelId: model, call: options) }?.kind == kind)
            #expect(await failure { _ = try await engine.stream(request, modelId: model, call: options) }?.kind == kind)
            #expect(await failure { _ = try await engine.countTokens(request, modelId: model, call: options) }?.kind == kind)
        }
        #expect(provider.keysUsed.isEmpty)
    }

    @Test func retriesNeverReachAKeyThatMayNotServeTheModel() async throws {
        let unavailable = GatewayError(.unavailable, "down")
        let provider = ScriptedProvider(failures: [unavailable, unavailable])
        let engine = engine(provider, keys: [
            KeyConfig(name: "main", value: "sk-main"), KeyConfig(name: "cheap", value: "sk-cheap", models: ["gpt-4o-mini"]),
            KeyConfig(name: "disabled", value: "sk-off", weight: 0),
        ])
        _ = try await engine.complete(request, modelId: "openai/o1-pro", call: call())
        #expect(provider.keysUsed == ["sk-main", "sk-main", "sk-main"])
    }

    @Test func aRetryAfterBeyondTheBudgetFailsAtOnceAndIsPassedOn() async {
        let provider = ScriptedProvider(failures: [GatewayError(.throttled, "slow down", upstreamStatus: 429, retryAfterSeconds: 30)])
        let engine = engine(provider, keys: [KeyConfig(name: "only", value: "sk-only")], timeoutSeconds: 5)
        let error = await failure { _ = try await engine.complete(request, modelId: "openai/gpt-4o-mini", call: call()) }
        #expect(error?.kind == .throttled)
        #expect(error?.retryAfterSeconds == 30)
        #expect(provider.keysUsed == ["sk-only"])
    }

    @Test func aRetryAfterWithinTheBudgetIsWaitedFor() async throws {
        let provider = ScriptedProvider(failures: [GatewayError(.throttled, "slow down", upstreamStatus: 429, retryAfterSeconds: 0.3)])
        let engine = engine(provider, keys: [KeyConfig(name: "only", value: "sk-only")])
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await engine.complete(request, modelId: "openai/gpt-4o-mini", call: call())
        // A lower bound only: the engine must not come back before the upstream said it may.
        #expect(clock.now - start >= .milliseconds(300))
        #expect(provider.keysUsed == ["sk-only", "sk-only"])
    }

    @Test func exhaustedRetriesStillCarryTheWait() async {
        let throttled = GatewayError(.throttled, "slow down", upstreamStatus: 429, retryAfterSeconds: 0)
        let provider = ScriptedProvider(failures: [throttled, throttled])
        let engine = engine(provider, keys: [KeyConfig(name: "only", value: "sk-only")], maxRetries: 1)
        let error = await failure { _ = try await engine.complete(request, modelId: "openai/gpt-4o-mini", call: call()) }
        #expect(error?.retryAfterSeconds == 0)
        #expect(provider.keysUsed.count == 2)
    }

    @Test func aBadAnswerIsNotAskedForAgain() async {
        let provider = ScriptedProvider(failures: [GatewayError(.badUpstreamAnswer, "not JSON")])
        let engine = engine(provider, keys: [KeyConfig(name: "only", value: "sk-only")])
        let error = await failure { _ = try await engine.complete(request, modelId: "openai/gpt-4o-mini", call: call()) }
        #expect(error?.kind == .badUpstreamAnswer)
        #expect(provider.keysUsed.count == 1)
    }
}
