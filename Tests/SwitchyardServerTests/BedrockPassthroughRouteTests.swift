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

/// Routes whose answer is not a translated chat: a Bedrock provider's own bytes passed through, and CountTokens.
@Suite struct BedrockPassthroughRouteTests {
    static let upstreamBody = #"{"output":{"message":{"role":"assistant","content":[{"text":"as Bedrock said it"}]}},"stopReason":"end_turn"}"#

    func app(_ provider: ScriptedProvider, kind: ProviderKind, plugin: RecordingPlugin) -> some ApplicationProtocol {
        let engine = TestEngines.engine(TestEngines.provider(kind == .bedrock ? "bedrock" : "openai", kind: kind), provider, plugins: [plugin])
        return Gateway(config: GatewayConfig(), logger: TestEngines.quietLogger).makeApplication(engine: engine)
    }

    @Test func aBedrockProviderAnswerPassesThroughUntouchedAndItsUsageIsRecorded() async throws {
        let provider = ScriptedProvider(answers: .init(
            passthroughDialects: ["bedrock-runtime"], passthroughBody: Self.upstreamBody,
            passthroughUsage: Usage(inputTokens: 21, outputTokens: 6), passthroughStop: "end_turn"))
        let plugin = RecordingPlugin()
        let response = try await app(provider, kind: .bedrock, plugin: plugin).test(.router) { client in
            try await client.execute(
                uri: "/bedrock/model/amazon.nova-lite-v1:0/converse", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#))
        }
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == Self.upstreamBody)
        #expect(provider.operations == ["passthrough"])
        let record = try #require(plugin.ended.first)
        #expect(plugin.ended.count == 1)
        #expect(record.descriptor.requestId == response.headers[HTTPField.Name("x-amzn-RequestId")!])
        #expect(record.usage == Usage(inputTokens: 21, outputTokens: 6))
        #expect(record.stopReason == "end_turn")
        #expect(record.provider == "bedrock" && record.model == "amazon.nova-lite-v1:0")
        #expect(record.end?.outcome == .success)
    }

    @Test func countTokensAnswersWithTheProvidersOwnCount() async throws {
        let provider = ScriptedProvider(answers: .init(tokenCount: 42))
        let plugin = RecordingPlugin()
        let response = try await app(provider, kind: .openai, plugin: plugin).test(.router) { client in
            try await client.execute(
                uri: "/bedrock/model/openai%2Fgpt-4o/count-tokens", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"input":{"converse":{"messages":[{"role":"user","content":[{"text":"hi"}]}]}}}"#))
        }
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == #"{"inputTokens":42}"#)
        #expect(provider.operations == ["countTokens"])
        #expect(plugin.ended.first?.descriptor.operation == "CountTokens")
        #expect(plugin.ended.first?.end?.status == 200)
    }
}
