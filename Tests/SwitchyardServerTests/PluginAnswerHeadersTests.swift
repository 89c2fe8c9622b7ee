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

/// A plugin that puts headers on the answer (as governance puts a key's rate-limit state) and may refuse.
final class HeaderPlugin: CallPlugin {
    let refusal: GatewayError?

    init(refusing refusal: GatewayError? = nil) { self.refusal = refusal }

    func callWillStart(_ call: PlannedCall) async throws {
        call.context.update {
            $0.answerHeaders.append(AnswerHeader("x-ratelimit-limit-requests", "10"))
            $0.answerHeaders.append(AnswerHeader("x-ratelimit-remaining-requests", "0"))
        }
        if let refusal { throw refusal }
    }

    func callEnded(_ record: CallRecord) {}
}

/// What a plugin asks for reaches the client's answer head through the Bedrock door, on answers and refusals.
@Suite struct PluginAnswerHeadersTests {
    static let body = #"{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":5}}"#
    static let limit = HTTPField.Name("x-ratelimit-limit-requests")!
    static let remaining = HTTPField.Name("x-ratelimit-remaining-requests")!
    static let errorType = HTTPField.Name("x-amzn-ErrorType")!

    func post(_ path: String, refusing refusal: GatewayError? = nil) async throws -> TestResponse {
        let engine = TestEngines.engine(TestEngines.provider("openai"), ScriptedProvider(), plugins: [HeaderPlugin(refusing: refusal)])
        let app = Gateway(config: GatewayConfig(), logger: TestEngines.quietLogger).makeApplication(engine: engine)
        return try await app.test(.router) { client in
            try await client.execute(
                uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: Self.body))
        }
    }

    @Test(arguments: ["converse", "converse-stream", "invoke", "invoke-with-response-stream"])
    func answersCarryThePluginsHeaders(_ operation: String) async throws {
        let response = try await post("/bedrock/model/openai%2Fgpt-4o/\(operation)")
        #expect(response.status == .ok)
        #expect(response.headers[Self.limit] == "10" && response.headers[Self.remaining] == "0")
    }

    @Test func aBudgetRefusalIsServiceQuotaExceededWithTheHeaders() async throws {
        let response = try await post(
            "/bedrock/model/openai%2Fgpt-4o/converse", refusing: GatewayError(.quotaExceeded, "Budget 'daily' of virtual key 'team' is exhausted"))
        #expect(response.status == .badRequest)
        #expect(response.headers[Self.errorType] == "ServiceQuotaExceededException")
        #expect(response.headers[Self.limit] == "10")
        let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        #expect(body?["message"] as? String == "Budget 'daily' of virtual key 'team' is exhausted")
        #expect(response.headers[.retryAfter] == nil)
    }

    @Test func aRateLimitRefusalIsThrottlingWithRetryAfterAndTheHeaders() async throws {
        let response = try await post(
            "/bedrock/model/openai%2Fgpt-4o/converse-stream", refusing: GatewayError(.throttled, "Rate limit reached", retryAfterSeconds: 41.2))
        #expect(response.status == .tooManyRequests)
        #expect(response.headers[Self.errorType] == "ThrottlingException")
        #expect(response.headers[.retryAfter] == "42")
        #expect(response.headers[Self.remaining] == "0")
    }
}
