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

/// Direct-key headers as the whole application reads them, in process, over scripted providers.
@Suite struct DirectKeyMiddlewareTests {
    let openai = ScriptedProvider()
    let bedrock = ScriptedProvider(answers: .init(passthroughDialects: ["bedrock-runtime"]))
    static let body = #"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#
    static let errorType = HTTPField.Name("x-amzn-ErrorType")!

    func post(_ path: String, allowing allowed: Bool, _ headers: [String: String]) async throws -> TestResponse {
        let engine = TestEngines.engine([
            (TestEngines.provider("openai"), openai),
            (
                TestEngines.provider(
                    "bedrock", kind: .bedrock, keys: [KeyConfig(name: "aws", value: "", aws: AWSAccess(accessKeyId: "AKIAGW", secretAccessKey: "gw"))]),
                bedrock
            ),
        ])
        var config = GatewayConfig()
        config.governance.allowDirectKeys = allowed
        var fields: HTTPFields = [.contentType: "application/json"]
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let sent = fields
        return try await Gateway(config: config, logger: TestEngines.quietLogger).makeApplication(engine: engine).test(.router) { client in
            try await client.execute(uri: path, method: .post, headers: sent, body: ByteBuffer(string: Self.body))
        }
    }

    static func message(_ response: TestResponse) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        return try #require(object?["message"] as? String)
    }

    @Test func aVendorKeyHeaderIsTheKeyOfTheCall() async throws {
        let response = try await post("/bedrock/model/openai%2Fgpt-4o/converse", allowing: true, ["x-bf-openai-key": "sk-caller-own"])
        #expect(response.status == .ok)
        #expect(openai.keysUsed == ["sk-caller-own"])
    }

    @Test func bedrockCredentialsComeFromHeadersOrANonVirtualKeyBearer() async throws {
        let model = "/bedrock/model/bedrock%2Famazon.nova-lite-v1:0/converse"
        _ = try await post(model, allowing: true, [
            "x-bf-bedrock-access-key": "AKIACALLER", "x-bf-bedrock-secret-key": "caller/secret", "x-bf-bedrock-session-token": "tok",
            "x-bf-bedrock-region": "ap-southeast-2",
        ])
        _ = try await post(model, allowing: true, ["Authorization": "Bearer ABSKcallerBedrockKey"])
        // A virtual key's bearer form is the authentication's to check, never a Bedrock API key.
        _ = try await post(model, allowing: true, ["Authorization": "Bearer sk-swyd-SWYDAAAAAAAAAAAAAAAA.secret"])
        let targets = bedrock.calls.map(\.target)
        #expect(targets.count == 3)
        #expect(targets[0].aws == AWSAccess(accessKeyId: "AKIACALLER", secretAccessKey: "caller/secret", sessionToken: "tok"))
        #expect(targets[0].region == "ap-southeast-2")
        #expect(targets[1].aws == nil && targets[1].apiKey == "ABSKcallerBedrockKey")
        #expect(targets[2].aws?.accessKeyId == "AKIAGW")
    }

    @Test func turnedOffAnyDirectKeyHeaderIsAccessDeniedAndABearerIsIgnored() async throws {
        let refused = try await post("/bedrock/model/openai%2Fgpt-4o/converse", allowing: false, ["x-bf-openai-key": "sk-caller-own"])
        #expect(refused.status == .forbidden)
        #expect(refused.headers[Self.errorType] == "AccessDeniedException")
        let message = try Self.message(refused)
        #expect(message.contains("Direct keys are disabled") && message.contains("x-bf-openai-key") && !message.contains("sk-caller-own"))
        let region = try await post("/bedrock/model/openai%2Fgpt-4o/converse", allowing: false, ["x-bf-bedrock-region": "us-east-1"])
        #expect(region.headers[Self.errorType] == "AccessDeniedException")
        #expect(openai.calls.isEmpty)

        let bearer = try await post("/bedrock/model/bedrock%2Famazon.nova-lite-v1:0/converse", allowing: false, ["Authorization": "Bearer ABSKx"])
        let pinned = try await post("/bedrock/model/openai%2Fgpt-4o/converse", allowing: false, ["x-bf-api-key": "main"])
        #expect(bearer.status == .ok && pinned.status == .ok)
        #expect(bedrock.calls.map { $0.target.aws?.accessKeyId } == ["AKIAGW"])
        #expect(openai.keysUsed == ["sk-main"])
    }

    @Test(arguments: [
        ["x-bf-bedrock-access-key": "AKIACALLER"],
        ["x-bf-bedrock-secret-key": "s"],
        ["x-bf-bedrock-session-token": "t"],
        ["x-bf-bedrock-region": "us-east-1"],
        ["x-bf-bedrock-api-key": "ABSK", "x-bf-bedrock-region": "evil.example.com/x"],
        ["x-bf-bedrock-api-key": "ABSK", "Authorization": "Bearer ABSKother"],
        ["x-bf-bedrock-access-key": "AKIA", "x-bf-bedrock-secret-key": "s", "x-bf-bedrock-api-key": "ABSK"],
        ["x-bf-bedrock-secret": "s"],
        ["x-bf-openai-key": ""],
    ])
    func malformedDirectKeysAreAValidationException(_ headers: [String: String]) async throws {
        let response = try await post("/bedrock/model/openai%2Fgpt-4o/converse", allowing: true, headers)
        #expect(response.status == .badRequest)
        #expect(response.headers[Self.errorType] == "ValidationException")
        let message = try Self.message(response)
        for (name, value) in headers where name.hasPrefix("x-bf-") && value.count > 1 { #expect(!message.contains(value)) }
        #expect(openai.calls.isEmpty && bedrock.calls.isEmpty)
    }
}
