import Engine
import GatewayMetrics
import Logging
import Pricing
import Prometheus
import SwitchyardModel
import Synchronization
import Testing

/// An upstream that answers every chat call with the same usage, or fails with `failure`.
struct FixedAnswerProvider: ChatProvider {
    var usage = Usage(inputTokens: 8, outputTokens: 7, cacheReadTokens: 4)
    var failure: GatewayError?

    func complete(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatResponse {
        if let failure { throw failure }
        return ChatResponse(content: [.text("ok")], stopReason: .endTurn, usage: usage, latencyMs: 0)
    }

    func stream(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatEventStream {
        if let failure { throw failure }
        return ChatEventStream { $0.finish() }
    }
}

/// The plugin recording into a real Prometheus registry, read back from the text it exports.
struct Harness {
    let registry = PrometheusCollectorRegistry()
    let engine: Engine

    init(provider: FixedAnswerProvider = FixedAnswerProvider(), models: [String] = ["gpt-4o-mini"]) throws {
        var config = ProviderConfig(name: "openai", kind: .openai, baseURL: "http://127.0.0.1:1", maxRetries: 0)
        config.models = models
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets = MetricNames.histogramBuckets
        let plugin = LLMMetricsPlugin(
            factory: factory, labels: MetricLabels(providers: [config], aliases: [:]),
            costs: CostCalculator(table: try PriceTable.bundled()))
        engine = Engine(
            providers: [ProviderRuntime(config: config, adapter: provider)], aliases: [:], plugins: [plugin],
            logger: Logger(label: "test"))
    }

    func converse(_ modelId: String, id: String = "req-1") async -> GatewayError? {
        let call = engine.begin(CallDescriptor(requestId: id, door: "bedrock-runtime", operation: "Converse", route: "/r", modelRequested: modelId))
        do {
            _ = try await engine.complete(ChatRequest(messages: [Message(role: .user, content: [.text("hi")])]), modelId: modelId, call: call)
            call.finish(CallEnd(outcome: .success, status: 200))
            return nil
        } catch let error as GatewayError {
            call.finish(CallEnd(outcome: .failure, status: 400), error: error)
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    var text: String {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The sample line with exactly these labels, as the registry wrote them (label order as recorded).
    func sample(_ name: String, _ labels: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix("\(name){\(labels)} ") }.map { String($0.split(separator: " ").last!) }
    }
}

@Suite struct LLMMetricsPluginTests {
    @Test func aSuccessfulCallCountsRequestTokensAndCost() async throws {
        let harness = try Harness()
        #expect(await harness.converse("openai/gpt-4o-mini") == nil)
        let labels = #"door="bedrock-runtime",operation="Converse",provider="openai",model="gpt-4o-mini",outcome="ok",error_class="none""#
        #expect(harness.sample(MetricNames.llmRequests, labels) == "1")
        #expect(harness.sample(MetricNames.tokens, #"provider="openai",model="gpt-4o-mini",type="input""#) == "8")
        #expect(harness.sample(MetricNames.tokens, #"provider="openai",model="gpt-4o-mini",type="output""#) == "7")
        #expect(harness.sample(MetricNames.tokens, #"provider="openai",model="gpt-4o-mini",type="cache_read""#) == "4")
        // No zero series for a type the call did not use.
        #expect(!harness.text.contains(#"type="cache_write""#))
        // 8 × 0.15 + 4 × 0.075 + 7 × 0.60 USD per million tokens.
        let cost = try #require(harness.sample(MetricNames.cost, #"provider="openai",model="gpt-4o-mini""#).flatMap(Double.init))
        #expect(abs(cost - 0.0000057) < 1e-15)
        #expect(harness.sample(MetricNames.activeRequests, #"door="bedrock-runtime""#) == "0.0")
        #expect(harness.sample(MetricNames.overhead + "_count", #"door="bedrock-runtime""#) == "1")
    }

    @Test func aModelOutsideTheConfigurationIsOther() async throws {
        let harness = try Harness()
        for i in 0..<5 { _ = await harness.converse("openai/invented-\(i)", id: "r\(i)") }
        #expect(!harness.text.contains("invented"))
        let labels = #"door="bedrock-runtime",operation="Converse",provider="openai",model="other",outcome="ok",error_class="none""#
        #expect(harness.sample(MetricNames.llmRequests, labels) == "5")
        #expect(harness.sample(MetricNames.uncharged, #"reason="unknown_model""#) == "5")
    }

    @Test func anUnroutableCallIsACallerErrorAndNeverActive() async throws {
        let harness = try Harness()
        #expect(await harness.converse("nobody/model") != nil)
        let labels = #"door="bedrock-runtime",operation="Converse",provider="other",model="other",outcome="error",error_class="caller""#
        #expect(harness.sample(MetricNames.llmRequests, labels) == "1")
        // It ended without starting: nothing was added to the gauge, so nothing may be taken off it.
        #expect(!harness.text.contains(MetricNames.activeRequests + "{"))
    }

    @Test func anUpstreamThrottleIsAProviderError() async throws {
        let harness = try Harness(provider: FixedAnswerProvider(failure: GatewayError(.throttled, "slow down", upstreamStatus: 429)))
        #expect(await harness.converse("openai/gpt-4o-mini") != nil)
        let labels = #"door="bedrock-runtime",operation="Converse",provider="openai",model="gpt-4o-mini",outcome="error",error_class="provider""#
        #expect(harness.sample(MetricNames.llmRequests, labels) == "1")
        #expect(harness.sample(MetricNames.activeRequests, #"door="bedrock-runtime""#) == "0.0")
    }
}

@Suite struct MetricLabelsTests {
    let labels = MetricLabels(
        providers: [
            ProviderConfig(name: "openai", kind: .openai, baseURL: "http://x"),
            ProviderConfig(name: "bedrock", kind: .bedrock, baseURL: "http://y"),
        ],
        aliases: ["fast": "openai/gpt-4.1-nano"])

    @Test func onlyConfiguredValuesPass() {
        #expect(labels.provider("openai") == "openai")
        #expect(labels.provider("mallory") == "other")
        #expect(labels.provider(nil) == "other")
        #expect(labels.model(provider: "openai", model: "gpt-4.1-nano") == "gpt-4.1-nano")  // an alias target
        #expect(labels.model(provider: "openai", model: "whatever-you-like") == "other")
        #expect(labels.model(provider: "bedrock", model: "anthropic.claude-3-haiku-20240307-v1:0") == "anthropic.claude-3-haiku-20240307-v1:0")
        #expect(labels.model(provider: "bedrock", model: "us.anthropic.claude-3-haiku-20240307-v1:0") == "anthropic.claude-3-haiku-20240307-v1:0")
        #expect(labels.model(provider: "bedrock", model: "anthropic.made-up") == "other")
        #expect(MetricLabels.method("POST") == "POST")
        #expect(MetricLabels.method("BREW") == "other")
    }
}

@Suite struct RequestLogQueueMetricsTests {
    @Test func dropsAreExportedAsACounterOfTheWritersTotal() {
        let registry = PrometheusCollectorRegistry()
        let reading = Mutex(RequestLogQueueMetrics.Reading(queued: 3, dropped: 0))
        let queue = RequestLogQueueMetrics(factory: PrometheusMetricsFactory(registry: registry)) { reading.withLock { $0 } }
        func text() -> String {
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        queue.update()
        #expect(text().contains("\(MetricNames.logQueueDepth) 3.0"))
        #expect(text().contains("\(MetricNames.logDropped) 0"))
        reading.withLock { $0 = .init(queued: 0, dropped: 5) }
        queue.update()
        queue.update()
        #expect(text().contains("\(MetricNames.logQueueDepth) 0.0"))
        #expect(text().contains("\(MetricNames.logDropped) 5"))
    }
}
