import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardModel
import SwitchyardServer
import SwitchyardTestSupport
import Testing

/// The Anthropic door as the whole application serves it, in process, over scripted providers: no network.
@Suite struct AnthropicRouteTests {
    let provider: ScriptedProvider
    let plugin: RecordingPlugin
    let engine: Engine

    init(_ script: [ScriptedProvider.Step] = [], refusing refusal: GatewayError? = nil, kind: ProviderKind = .openai, answers: ScriptedProvider.Answers = .init()) {
        provider = ScriptedProvider(script, answers: answers)
        plugin = RecordingPlugin(refusing: refusal)
        let name = kind == .anthropic ? "anthropic" : "openai"
        engine = TestEngines.engine([(TestEngines.provider(name, kind: kind), provider)], aliases: ["fast": "\(name)/some-model"], plugins: [plugin])
    }

    init() { self.init([]) }

    static let body = #"{"model":"fast","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}"#
    static let streamBody = #"{"model":"fast","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#
    static let requestIdField = HTTPField.Name("request-id")!

    func post(_ path: String, body: String = Self.body, headers: HTTPFields = [:]) async throws -> TestResponse {
        let gateway = Gateway(config: GatewayConfig(), logger: TestEngines.quietLogger)
        return try await gateway.makeApplication(engine: engine).test(.router) { client in
            var fields = headers
            fields[.contentType] = "application/json"
            return try await client.execute(uri: path, method: .post, headers: fields, body: ByteBuffer(string: body))
        }
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    /// `(event name, data object)` of each server-sent event.
    static func events(_ buffer: ByteBuffer) throws -> [(String, [String: Any])] {
        try String(buffer: buffer).components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { frame in
            let lines = frame.components(separatedBy: "\n")
            let name = String(try #require(lines.first { $0.hasPrefix("event: ") }).dropFirst(7))
            let data = String(try #require(lines.first { $0.hasPrefix("data: ") }).dropFirst(6))
            return (name, try json(ByteBuffer(string: data)))
        }
    }

    @Test func aMessageAnswersInAnthropicJSONAndTheRecordNamesTheDoor() async throws {
        let response = try await post("/anthropic/v1/messages")
        #expect(response.status == .ok)
        let body = try Self.json(response.body)
        #expect(body["type"] as? String == "message" && body["model"] as? String == "fast")
        #expect((body["id"] as? String)?.hasPrefix("msg_") == true)
        #expect((body["content"] as? [[String: Any]])?.first?["text"] as? String == "ok")
        #expect(body["stop_reason"] as? String == "end_turn")
        let usage = try #require(body["usage"] as? [String: Any])
        #expect(usage["input_tokens"] as? Int == 11 && usage["output_tokens"] as? Int == 3)
        let record = try #require(plugin.ended.first)
        #expect(record.descriptor.requestId == response.headers[Self.requestIdField])
        #expect(record.descriptor.door == "anthropic" && record.descriptor.operation == "Messages")
        #expect(record.descriptor.modelRequested == "fast" && record.provider == "openai" && record.model == "some-model")
        #expect(record.end?.outcome == .success && record.end?.status == 200)
        #expect(provider.calls.first?.request?.inference.maxTokens == 64)
    }

    @Test func aStreamIsServerSentEventsInAnthropicsOrder() async throws {
        let response = try await post("/anthropic/v1/messages", body: Self.streamBody)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/event-stream")
        let events = try Self.events(response.body)
        #expect(
            events.map(\.0) == [
                "message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
                "message_stop",
            ])
        #expect(events.allSatisfy { $0.0 == $0.1["type"] as? String })
        let text = events.compactMap { ($0.1["delta"] as? [String: Any])?["text"] as? String }.joined()
        #expect(text == "Hello there")
        let usage = try #require(events[5].1["usage"] as? [String: Any])
        #expect(usage["input_tokens"] as? Int == 9 && usage["output_tokens"] as? Int == 2)
        let record = try #require(plugin.ended.first)
        #expect(record.descriptor.stream && record.usage == Usage(inputTokens: 9, outputTokens: 2))
        #expect(record.end?.outcome == .success)
    }

    @Test func aStreamFailingMidwayEndsWithAnErrorEvent() async throws {
        let test = Self([.failStream(after: [.messageStart(.assistant)], GatewayError(.unavailable, "upstream overloaded"))])
        let response = try await test.post("/anthropic/v1/messages", body: Self.streamBody)
        let events = try Self.events(response.body)
        #expect(events.last?.0 == "error")
        #expect((events.last?.1["error"] as? [String: Any])?["type"] as? String == "overloaded_error")
        #expect(test.plugin.ended.first?.end?.outcome == .failure)
        #expect(test.plugin.ended.first?.end?.errorCode == "overloaded_error")
    }

    @Test func aMalformedBodyIsAnInvalidRequestError() async throws {
        let response = try await post("/anthropic/v1/messages", body: #"{"model":"fast","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(response.status == .badRequest)
        let body = try Self.json(response.body)
        let error = try #require(body["error"] as? [String: Any])
        #expect(body["type"] as? String == "error" && error["type"] as? String == "invalid_request_error")
        #expect((error["message"] as? String)?.contains("max_tokens") == true)
        #expect(response.headers[Self.requestIdField] != nil)
        #expect(plugin.ended.first?.end?.status == 400 && plugin.ended.first?.end?.errorCode == "invalid_request_error")
        #expect(provider.calls.isEmpty)
    }

    @Test func anUnknownModelIsNotFound() async throws {
        let response = try await post("/anthropic/v1/messages", body: #"{"model":"nobody/knows","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#)
        #expect(response.status == .notFound)
        #expect((try Self.json(response.body)["error"] as? [String: Any])?["type"] as? String == "not_found_error")
    }

    @Test func anExhaustedBudgetIsAFinal400AndAThrottleA429WithRetryAfter() async throws {
        let budget = Self([], refusing: GatewayError(.quotaExceeded, "the budget is spent"))
        let refused = try await budget.post("/anthropic/v1/messages")
        #expect(refused.status == .badRequest)
        #expect(refused.headers[HTTPField.Name("x-should-retry")!] == "false")
        #expect((try Self.json(refused.body)["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")

        let throttle = Self([], refusing: GatewayError(.throttled, "slow down", retryAfterSeconds: 2.5))
        let throttled = try await throttle.post("/anthropic/v1/messages")
        #expect(throttled.status == .tooManyRequests)
        #expect(throttled.headers[.retryAfter] == "3")
        #expect((try Self.json(throttled.body)["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
    }

    @Test func anAnthropicProviderGetsTheBodyPassedThroughAndItsUsageIsRecorded() async throws {
        let upstream = #"{"id":"msg_up","type":"message","content":[{"type":"text","text":"as Anthropic said it"}]}"#
        let test = Self(
            kind: .anthropic,
            answers: .init(
                passthroughDialects: ["anthropic-messages"], passthroughBody: upstream, passthroughUsage: Usage(inputTokens: 4, outputTokens: 2),
                passthroughStop: "end_turn"))
        let response = try await test.post("/anthropic/v1/messages")
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == upstream)
        #expect(test.provider.operations == ["passthrough"])
        #expect(test.provider.modelsUsed == ["some-model"])
        let record = try #require(test.plugin.ended.first)
        #expect(record.descriptor.door == "anthropic" && record.usage == Usage(inputTokens: 4, outputTokens: 2))
        #expect(record.stopReason == "end_turn" && record.end?.outcome == .success)
    }

    @Test func countTokensAnswersWithTheProvidersCount() async throws {
        let response = try await post("/anthropic/v1/messages/count_tokens", body: #"{"model":"fast","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == #"{"input_tokens":7}"#)
        #expect(provider.operations == ["countTokens"])
        #expect(plugin.ended.first?.descriptor.operation == "CountTokens")
    }

    @Test func modelsListsAliases() async throws {
        let gateway = Gateway(config: GatewayConfig(), logger: TestEngines.quietLogger)
        let response = try await gateway.makeApplication(engine: engine).test(.router) { client in
            try await client.execute(uri: "/anthropic/v1/models", method: .get)
        }
        #expect(response.status == .ok)
        let data = try #require(try Self.json(response.body)["data"] as? [[String: Any]])
        #expect(data.contains { $0["id"] as? String == "fast" && $0["type"] as? String == "model" })
    }
}
