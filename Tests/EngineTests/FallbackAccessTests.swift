import Engine
import SwitchyardModel
import SwitchyardTestSupport
import Testing

/// Plugins admit a call's primary model; a fallback must still be one the caller's key may use.
@Suite struct FallbackAccessTests {
    static func call(_ engine: Engine, models: [String]) -> CallContext {
        engine.begin(
            CallDescriptor(
                requestId: "req-fallback", door: "test", operation: "Converse", route: "/test", modelRequested: "openai/gpt-4o",
                caller: CallerIdentity(keyId: "k1", name: "team", access: ModelAccess(models: models))))
    }

    @Test func aFallbackTheKeyMayNotUseIsSkipped() async throws {
        let primary = ScriptedProvider(failures: [GatewayError(.unavailable, "down")])
        let engine = TestEngines.engine(TestEngines.provider(maxRetries: 0), primary)
        let call = Self.call(engine, models: ["openai/gpt-4o", "openai/allowed"])
        let request = TestEngines.chat(fallbacks: ["openai/forbidden", "openai/allowed"])
        _ = try await engine.complete(request, modelId: "openai/gpt-4o", call: call)
        #expect(primary.modelsUsed == ["gpt-4o", "allowed"])
        #expect(call.record.fallbackPosition == 2)
    }

    @Test func whenNoFallbackIsAllowedThePrimarysFailureIsTheAnswer() async throws {
        let primary = ScriptedProvider(failures: [GatewayError(.unavailable, "down")])
        let engine = TestEngines.engine(TestEngines.provider(maxRetries: 0), primary)
        let call = Self.call(engine, models: ["openai/gpt-4o"])
        let error = await TestEngines.failure {
            _ = try await engine.complete(TestEngines.chat(fallbacks: ["openai/forbidden"]), modelId: "openai/gpt-4o", call: call)
        }
        #expect(error?.kind == .unavailable && error?.message == "down")
        #expect(primary.modelsUsed == ["gpt-4o"])
    }
}
