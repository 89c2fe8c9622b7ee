import Engine
import NIOCore
import SwitchyardModel
import SwitchyardTestSupport
import Testing

/// A caller's own upstream credentials: which calls go up with them, what the record says, and what it never says.
@Suite struct DirectKeyTests {
    let unavailable = GatewayError(.unavailable, "upstream down", upstreamStatus: 503)
    let configured = [KeyConfig(name: "k1", value: "sk-gateway-one"), KeyConfig(name: "k2", value: "sk-gateway-two")]
    let callerAWS = AWSAccess(accessKeyId: "AKIACALLER0000000001", secretAccessKey: "callerSecret/abc123", sessionToken: "callerToken==")

    func call(_ engine: Engine, _ keys: DirectKeys?, stream: Bool = false) -> CallContext {
        var descriptor = TestEngines.descriptor(stream: stream)
        descriptor.directKeys = keys
        return engine.begin(descriptor)
    }

    @Test func everyChatEntryPointGoesUpWithTheCallersKeyAndRecordsItAsDirect() async throws {
        let provider = ScriptedProvider()
        let plugin = RecordingPlugin()
        let engine = TestEngines.engine(TestEngines.provider(keys: configured), provider, plugins: [plugin])
        let keys = DirectKeys(openAI: "sk-caller-own")
        let request = TestEngines.chat()
        _ = try await engine.complete(request, modelId: "openai/gpt-4o", call: call(engine, keys))
        for try await _ in try await engine.stream(request, modelId: "openai/gpt-4o", call: call(engine, keys, stream: true)) {}
        _ = try await engine.countTokens(request, modelId: "openai/gpt-4o", call: call(engine, keys))
        _ = try await engine.embed(EmbeddingRequest(inputs: ["x"]), modelId: "openai/text-embedding-3-small", call: call(engine, keys))
        #expect(provider.keysUsed == Array(repeating: "sk-caller-own", count: 4))
        let direct = call(engine, keys)
        let configured = call(engine, nil)
        _ = try await engine.complete(request, modelId: "openai/gpt-4o", call: direct)
        _ = try await engine.complete(request, modelId: "openai/gpt-4o", call: configured)
        #expect(direct.record.keyName == "direct")
        #expect(["k1", "k2"].contains(configured.record.keyName))
        #expect(provider.keysUsed.last?.hasPrefix("sk-gateway-") == true)
    }

    @Test func retriesKeepTheDirectKeyInsteadOfRotating() async throws {
        let provider = ScriptedProvider(failures: [unavailable, unavailable])
        let engine = TestEngines.engine(TestEngines.provider(keys: configured, maxRetries: 2), provider)
        let context = call(engine, DirectKeys(openAI: "sk-caller-own"))
        _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: context)
        #expect(provider.keysUsed == ["sk-caller-own", "sk-caller-own", "sk-caller-own"])
        #expect(context.record.attemptLog.map(\.keyName) == ["direct", "direct", "direct"])
    }

    @Test func aDirectKeyIsNotHeldToTheConfiguredKeysAllowLists() async throws {
        // The allow-lists say which of the gateway's keys may serve a model; the caller's own key is none of them.
        let provider = ScriptedProvider()
        let engine = TestEngines.engine(
            TestEngines.provider(keys: [KeyConfig(name: "mini", value: "sk-mini", models: ["gpt-4o-mini"])]), provider)
        let refused = await TestEngines.failure {
            _ = try await engine.complete(TestEngines.chat(), modelId: "openai/o1", call: call(engine, nil))
        }
        #expect(refused?.kind == .notFound)
        _ = try await engine.complete(TestEngines.chat(), modelId: "openai/o1", call: call(engine, DirectKeys(openAI: "sk-caller-own")))
        #expect(provider.keysUsed == ["sk-caller-own"])
    }

    @Test func aVendorKeyReachesOnlyThatVendorsOwnAPI() async throws {
        let openai = ScriptedProvider()
        let groq = ScriptedProvider()
        let engine = TestEngines.engine([
            (TestEngines.provider("openai"), openai),
            (TestEngines.provider("groq", keys: [KeyConfig(name: "g", value: "gsk-gateway")]), groq),
        ])
        let keys = DirectKeys(openAI: "sk-caller-openai")
        _ = try await engine.complete(TestEngines.chat(), modelId: "groq/llama-3.1-8b-instant", call: call(engine, keys))
        _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: call(engine, keys))
        #expect(groq.keysUsed == ["gsk-gateway"])
        #expect(openai.keysUsed == ["sk-caller-openai"])
    }

    @Test func theGenericKeyStaysWithTheRequestedProviderThroughFallbacks() async throws {
        let groq = ScriptedProvider(failures: [GatewayError(.validation, "bad request", upstreamStatus: 400)])
        let anthropic = ScriptedProvider()
        let engine = TestEngines.engine([
            (TestEngines.provider("groq", keys: [KeyConfig(name: "g", value: "gsk-gateway")], maxRetries: 0), groq),
            (TestEngines.provider("anthropic", kind: .anthropic, keys: [KeyConfig(name: "a", value: "sk-ant-gateway")]), anthropic),
        ])
        let keys = DirectKeys(requestedProvider: "gsk-caller")
        let context = call(engine, keys)
        _ = try await engine.complete(
            TestEngines.chat(fallbacks: ["anthropic/claude-sonnet-4-5", "groq/llama-3.3-70b"]), modelId: "groq/llama-3.1-8b-instant",
            call: context)
        #expect(groq.keysUsed == ["gsk-caller"])
        #expect(anthropic.keysUsed == ["sk-ant-gateway"])
        #expect(context.record.attemptLog.map(\.keyName) == ["direct", "a"])
    }

    @Test func bedrockSignsWithTheCallersAccessKeysAndRegionOrSendsItsAPIKey() async throws {
        let provider = ScriptedProvider(answers: .init(passthroughDialects: ["bedrock-runtime"]))
        var config = TestEngines.provider(
            "bedrock", kind: .bedrock, keys: [KeyConfig(name: "aws", value: "", aws: AWSAccess(accessKeyId: "AKIAGATEWAY", secretAccessKey: "gw"))])
        config.region = "eu-central-1"
        let engine = TestEngines.engine(config, provider)
        let raw = RawRequest(dialect: "bedrock-runtime", operation: "converse", headers: [], body: ByteBuffer(string: "{}"))
        let signed = call(engine, DirectKeys(bedrock: .aws(callerAWS), bedrockRegion: "us-west-2"))
        _ = try await engine.passthrough(raw, modelId: "bedrock/anthropic.claude-3-haiku-20240307-v1:0", call: signed)
        let bearer = call(engine, DirectKeys(bedrock: .apiKey("ABSKcallerBedrockKey")))
        _ = try await engine.complete(TestEngines.chat(), modelId: "bedrock/anthropic.claude-3-haiku-20240307-v1:0", call: bearer)
        let targets = provider.calls.map(\.target)
        #expect(targets.count == 2)
        #expect(targets[0].aws == callerAWS && targets[0].apiKey == nil && targets[0].region == "us-west-2")
        #expect(targets[1].aws == nil && targets[1].apiKey == "ABSKcallerBedrockKey" && targets[1].region == "eu-central-1")
        #expect([signed, bearer].map(\.record.keyName) == ["direct", "direct"])
    }

    @Test func anUpstreamThatEchoesTheDirectKeyShowsItNowhere() async throws {
        let echo = GatewayError(.accessDenied, "Incorrect API key provided: caller-key-9f8e7d6c5b4a", upstreamStatus: 401)
        let provider = ScriptedProvider(failures: [echo])
        let plugin = RecordingPlugin()
        let engine = TestEngines.engine(TestEngines.provider(), provider, plugins: [plugin])
        let context = call(engine, DirectKeys(openAI: "caller-key-9f8e7d6c5b4a"))
        let error = await TestEngines.failure { _ = try await engine.complete(TestEngines.chat(), modelId: "openai/gpt-4o", call: context) }
        context.finish(CallEnd(outcome: .failure, status: 403), error: error)
        #expect(error?.message == "Incorrect API key provided: [redacted]")
        let record = try #require(plugin.ended.first)
        #expect(record.error?.message == "Incorrect API key provided: [redacted]")
        #expect(record.attemptLog.map { $0.error?.message } == ["Incorrect API key provided: [redacted]"])
        // Whatever prints the record (a log line, a failing test) names the kind of key, never its value.
        #expect(!"\(record)".contains("caller-key-9f8e7d6c5b4a"))
        #expect(!String(reflecting: record.descriptor).contains("caller-key-9f8e7d6c5b4a"))
        #expect("\(DirectKeys(openAI: "caller-key-9f8e7d6c5b4a"))" == "DirectKeys(openai)")
    }

    @Test func theRequestsDirectKeysReachTheCallAndTheCallsOutsideThePipeline() async throws {
        let provider = ScriptedProvider()
        let engine = TestEngines.engine(TestEngines.provider(keys: configured), provider)
        let keys = DirectKeys(openAI: "sk-caller-own")
        let (context, outside) = try DirectKeyScope.$current.withValue(keys) {
            (engine.begin(TestEngines.descriptor()), try engine.target(provider: "openai", model: "", key: .balanced(pinned: nil)))
        }
        #expect(context.descriptor.directKeys == keys)
        #expect(outside.target.apiKey == "sk-caller-own" && outside.keyName == "direct")
        #expect(try engine.target(provider: "openai", model: "", key: .balanced(pinned: "k2")).keyName == "k2")
        #expect(engine.begin(TestEngines.descriptor()).descriptor.directKeys == nil)
    }

    @Test func fileCallsUseTheDirectKeyAndS3RefusesABedrockAPIKey() async throws {
        let openai = ScriptedProvider()
        let bedrock = ScriptedProvider()
        let engine = TestEngines.engine([
            (TestEngines.provider("openai", keys: configured), openai),
            (TestEngines.provider("bedrock", kind: .bedrock, keys: [KeyConfig(name: "aws", value: "", aws: callerAWS)]), bedrock),
        ])
        let files = call(engine, DirectKeys(openAI: "sk-caller-own"))
        let used = try await engine.perform(provider: "openai", model: "", key: .account(needsAWS: false), call: files) { target, name in
            "\(target.apiKey ?? "-") \(name ?? "-")"
        }
        #expect(used == "sk-caller-own direct")
        let s3 = call(engine, DirectKeys(bedrock: .apiKey("ABSKcallerBedrockKey")))
        let refused = await TestEngines.failure {
            _ = try await engine.perform(provider: "bedrock", model: "", key: .account(needsAWS: true), call: s3) { _, _ in 0 }
        }
        #expect(refused?.kind == .accessDenied)
        #expect(s3.record.attemptLog.isEmpty)
    }
}
