import Engine
import SwitchyardModel
import SwitchyardTestSupport
import Testing

/// Retries, key rotation and fallbacks as the call's record shows them.
@Suite struct PipelineRetryTests {
    let unavailable = GatewayError(.unavailable, "upstream down", upstreamStatus: 503)

    @Test func retriesStopAtTheConfiguredCountAndEachAttemptIsRecorded() async throws {
        let provider = ScriptedProvider(failures: [unavailable, unavailable, unavailable, unavailable])
        let engine = TestEngines.engine(TestEngines.provider(maxRetries: 2), provider)
        let call = engine.begin(TestEngines.descriptor())
        let error = await TestEngines.failure { _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: call) }
        #expect(error?.kind == .unavailable)
        // One first attempt and two retries, never a fourth call.
        #expect(provider.calls.count == 3)
        let record = call.record
        #expect(record.attempts == 3)
        #expect(record.attemptLog.allSatisfy { $0.error?.kind == .unavailable && $0.endedAt != nil })
        #expect(record.error?.kind == .unavailable)
    }

    @Test func aRetryThatSucceedsLeavesTheFailedAttemptsInTheRecord() async throws {
        let provider = ScriptedProvider(failures: [unavailable, GatewayError(.throttled, "busy", upstreamStatus: 429)])
        let engine = TestEngines.engine(TestEngines.provider(maxRetries: 2), provider)
        let call = engine.begin(TestEngines.descriptor())
        _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: call)
        #expect(provider.calls.count == 3)
        #expect(call.record.attemptLog.map { $0.error?.kind } == [.unavailable, .throttled, nil])
        #expect(call.record.error == nil)
    }

    @Test func aFailedKeyIsRotatedAwayFrom() async throws {
        // Five keys and four failures: only rotation makes every attempt use a fresh key (by chance, 5!/5^5 ≈ 4%).
        let provider = ScriptedProvider(failures: Array(repeating: unavailable, count: 4))
        let keys = (1...5).map { KeyConfig(name: "k\($0)", value: "sk-\($0)") }
        let engine = TestEngines.engine(TestEngines.provider(keys: keys, maxRetries: 4), provider)
        let call = engine.begin(TestEngines.descriptor())
        _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: call)
        #expect(Set(provider.keysUsed) == Set(keys.map(\.value)))
        let names = call.record.attemptLog.map(\.keyName)
        #expect(Set(names) == Set(keys.map(\.name)))
        #expect(call.record.attemptLog.prefix(4).allSatisfy { $0.error?.kind == .unavailable })
        // The record names the key that answered, never its value.
        #expect(call.record.keyName == names.last ?? nil)
    }

    @Test func switchedOffAndDisallowedKeysAreNeverUsedEvenWhenRetrying() async throws {
        let provider = ScriptedProvider(failures: [unavailable, unavailable, unavailable])
        let keys = [
            KeyConfig(name: "main", value: "sk-main", models: ["gpt-4o"]), KeyConfig(name: "off", value: "sk-off", weight: 0),
            KeyConfig(name: "mini-only", value: "sk-mini", models: ["gpt-4o-mini"]),
        ]
        let engine = TestEngines.engine(TestEngines.provider(keys: keys, maxRetries: 3), provider)
        let call = engine.begin(TestEngines.descriptor())
        _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: call)
        #expect(provider.keysUsed == ["sk-main", "sk-main", "sk-main", "sk-main"])
        #expect(call.record.attemptLog.map(\.keyName) == ["main", "main", "main", "main"])
    }

    @Test func aModelNoKeyMayServeIsRefusedBeforeAnyUpstreamCall() async {
        let provider = ScriptedProvider()
        let keys = [KeyConfig(name: "off", value: "sk-off", weight: 0), KeyConfig(name: "mini", value: "sk-mini", models: ["gpt-4o-mini"])]
        let engine = TestEngines.engine(TestEngines.provider(keys: keys), provider)
        let error = await TestEngines.failure {
            _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: engine.begin(TestEngines.descriptor()))
        }
        #expect(error?.kind == .notFound)
        #expect(provider.calls.isEmpty)
    }

    @Test func fallbacksAreTriedInOrderAndThePositionIsRecorded() async throws {
        let primary = ScriptedProvider(failures: [unavailable, unavailable])
        let backup = ScriptedProvider()
        let engine = TestEngines.engine([
            (TestEngines.provider("openai", maxRetries: 0), primary),
            (TestEngines.provider("backup", kind: .anthropic, keys: [KeyConfig(name: "bk", value: "sk-backup")], maxRetries: 0), backup),
        ])
        let call = engine.begin(TestEngines.descriptor())
        let request = TestEngines.chat(fallbacks: ["openai/gpt-4o-mini", "backup/claude-x", "openai/never"])
        _ = try await engine.complete(request, modelId: "openai/gpt-4o", call: call)
        #expect(primary.modelsUsed == ["gpt-4o", "gpt-4o-mini"])
        #expect(backup.modelsUsed == ["claude-x"])
        let record = call.record
        #expect(record.attemptLog.map(\.fallbackPosition) == [0, 1, 2])
        #expect(record.attemptLog.map(\.model) == ["gpt-4o", "gpt-4o-mini", "claude-x"])
        #expect(record.fallbackPosition == 2)
        #expect(record.provider == "backup")
        #expect(record.model == "claude-x")
        #expect(record.keyName == "bk")
    }

    @Test func whenEveryCandidateFailsTheFirstFailureIsReported() async {
        let primary = ScriptedProvider(failures: [
            GatewayError(.throttled, "primary busy", upstreamStatus: 429), GatewayError(.unavailable, "fallback down"),
        ])
        let engine = TestEngines.engine(TestEngines.provider(maxRetries: 0), primary)
        let call = engine.begin(TestEngines.descriptor())
        let error = await TestEngines.failure {
            _ = try await engine.complete(TestEngines.chat(fallbacks: ["openai/other"]), modelId: "openai/gpt-4o", call: call)
        }
        #expect(error?.message == "primary busy")
        #expect(call.record.attempts == 2)
    }

    @Test func aPinnedKeyHoldsForTheRetriesOfThePrimaryButNotForItsFallbacks() async throws {
        let primary = ScriptedProvider(failures: [unavailable, unavailable])
        let backup = ScriptedProvider()
        let engine = TestEngines.engine([
            (TestEngines.provider("openai", keys: [KeyConfig(name: "main", value: "sk-main"), KeyConfig(name: "vip", value: "sk-vip")], maxRetries: 1), primary),
            (TestEngines.provider("backup", keys: [KeyConfig(name: "bk", value: "sk-backup")], maxRetries: 0), backup),
        ])
        let call = engine.begin(TestEngines.descriptor(pinnedKey: "vip"))
        _ = try await engine.complete(TestEngines.chat(fallbacks: ["backup/m"]), modelId: "openai/gpt-4o", call: call)
        // Pinning skips load balancing on the primary, retries included; the fallback provider has no key of that
        // name and is served by its own.
        #expect(primary.keysUsed == ["sk-vip", "sk-vip"])
        #expect(backup.keysUsed == ["sk-backup"])
        #expect(call.record.attemptLog.map(\.keyName) == ["vip", "vip", "bk"])
    }
}
