import Engine
import Foundation
import Governance
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Pricing
import Stores
import SwitchyardModel
import SwitchyardServer
import SwitchyardTestSupport
import Testing

/// The OpenAI door in process: its routes over a scripted provider, the token authentication in front of them.
@Suite struct OpenAIRouteTests {
    let plugin = RecordingPlugin()
    let provider: ScriptedProvider
    let engine: Engine
    let ring: KeyRing
    let issuer: KeyIssuer
    let store: GatewayStore

    init() async throws {
        provider = ScriptedProvider([])
        engine = TestEngines.engine([(TestEngines.provider("anthropic", kind: .anthropic), provider)], plugins: [plugin])
        let dir = NSTemporaryDirectory() + "switchyard-openai-routes-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try await GatewayStore.open(dataDir: dir, logger: TestEngines.quietLogger)
        ring = KeyRing(store: store.virtualKeys, box: try SecretBox.load(environment: [:], dataDir: dir))
        issuer = KeyIssuer(ring: ring)
    }

    static let chat = #"{"model":"anthropic/claude-x","messages":[{"role":"user","content":"hi"}]}"#

    func withApp<Value: Sendable>(enforce: Bool = false, _ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        var config = GatewayConfig()
        config.governance.enforce = enforce
        let gateway = Gateway(config: config, logger: TestEngines.quietLogger)
        let governance = GovernanceSetup(
            ring: ring, usage: StoreKeyUsage(spend: store.spend, log: nil), settings: config.governance, ledger: store.ledger,
            prices: PriceTable(version: "none", prices: [:]), logger: TestEngines.quietLogger)
        return try await gateway.makeApplication(engine: engine, governance: governance).test(.router, test)
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func aChatCompletionIsTranslatedAndRecorded() async throws {
        let response = try await withApp { client in
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: Self.chat))
        }
        #expect(response.status == .ok && response.headers[HTTPField.Name("x-request-id")!] != nil)
        let message = try #require(((try Self.json(response))["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])
        #expect(message["content"] as? String == "ok")
        #expect(provider.calls.map(\.operation) == ["complete"])
        let ended = try #require(plugin.ended.first)
        #expect(ended.descriptor.door == "openai" && ended.descriptor.operation == "ChatCompletions" && ended.end?.status == 200)
    }

    @Test func aStreamEndsWithDone() async throws {
        let body = #"{"model":"anthropic/claude-x","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
        let response = try await withApp { client in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [:], body: ByteBuffer(string: body))
        }
        let text = String(buffer: response.body)
        #expect(response.headers[.contentType] == "text/event-stream")
        #expect(text.hasSuffix("data: [DONE]\n\n") && text.contains(#""content":"Hello""#) && !text.contains(#""usage""#))
        #expect(plugin.ended.first?.descriptor.operation == "ChatCompletionsStream")
    }

    @Test func aVirtualKeyIsABearerTokenAndNeverPassesOn() async throws {
        let issued = try await issuer.create(name: "team")
        let (ok, missing, wrong) = try await withApp(enforce: true) { client in
            (
                try await client.execute(
                    uri: "/v1/chat/completions", method: .post, headers: [.authorization: "Bearer \(issued.credentials.token)"],
                    body: ByteBuffer(string: Self.chat)),
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [:], body: ByteBuffer(string: Self.chat)),
                try await client.execute(
                    uri: "/v1/models", method: .get, headers: [.authorization: "Bearer sk-swyd-\(issued.credentials.accessKeyId).nope"], body: nil)
            )
        }
        #expect(ok.status == .ok && plugin.ended.first?.descriptor.caller?.keyId == issued.record.id)
        #expect(missing.status == .unauthorized && wrong.status == .unauthorized)
        let error = try #require((try Self.json(wrong))["error"] as? [String: Any])
        #expect(error["code"] as? String == "invalid_api_key" && error["type"] as? String == "invalid_request_error")
        #expect(plugin.ended.count == 1)
    }

    @Test func theAnthropicMountTakesTheKeyInXAPIKeyAndRefusesInItsShape() async throws {
        let issued = try await issuer.create(name: "team")
        let (missing, accepted) = try await withApp(enforce: true) { client in
            (
                try await client.execute(uri: "/anthropic/v1/messages", method: .post, headers: [:], body: ByteBuffer(string: "{}")),
                try await client.execute(
                    uri: "/anthropic/v1/models", method: .get, headers: [HTTPField.Name("x-api-key")!: issued.credentials.token], body: nil)
            )
        }
        #expect(missing.status == .unauthorized)
        let body = try Self.json(missing)
        #expect(body["type"] as? String == "error" && (body["error"] as? [String: Any])?["type"] as? String == "authentication_error")
        #expect(accepted.status != .unauthorized)
    }
}
