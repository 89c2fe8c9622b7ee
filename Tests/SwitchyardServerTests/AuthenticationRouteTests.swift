import AWSWire
import Engine
import Foundation
import Pricing
import Governance
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Stores
import SwitchyardModel
import SwitchyardServer
import SwitchyardTestSupport
import Testing

/// Authentication as the whole application applies it, in process: signed requests reach the routes as their key's
/// caller, refusals come back in the door's dialect before any route runs.
@Suite struct AuthenticationRouteTests {
    let plugin = RecordingPlugin()
    let engine: Engine
    let ring: KeyRing
    let issuer: KeyIssuer
    let store: GatewayStore

    init() async throws {
        engine = TestEngines.engine([(TestEngines.provider("openai"), ScriptedProvider([]))], plugins: [plugin])
        let dir = NSTemporaryDirectory() + "switchyard-auth-routes-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try await GatewayStore.open(dataDir: dir, logger: TestEngines.quietLogger)
        ring = KeyRing(store: store.virtualKeys, box: try SecretBox.load(environment: [:], dataDir: dir))
        issuer = KeyIssuer(ring: ring)
    }

    static let path = "/bedrock/model/openai%2Fgpt-4o-mini/converse"
    static let body = #"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#
    static let errorType = HTTPField.Name("x-amzn-ErrorType")!

    func withApp<Value: Sendable>(
        enforce: Bool = false, maxBodyBytes: Int = 25_000_000, metrics: PrometheusExport? = nil, logs: LogRecording? = nil,
        _ test: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        var config = GatewayConfig()
        config.governance.enforce = enforce
        config.server.maxBodyBytes = maxBodyBytes
        let gateway = Gateway(config: config, logger: logs?.logger(level: .info) ?? TestEngines.quietLogger)
        let governance = GovernanceSetup(
            ring: ring, usage: StoreKeyUsage(spend: store.spend, log: nil), settings: config.governance, ledger: store.ledger,
            prices: PriceTable(version: "none", prices: [:]), logger: TestEngines.quietLogger)
        return try await gateway.makeApplication(engine: engine, governance: governance, metrics: metrics).test(.router, test)
    }

    /// Converse signed as boto3 signs it (the router test client's authority is `localhost`).
    static func signed(_ credentials: AWSCredentials?, body: String = body, extra: HTTPFields = [:]) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        fields.append(contentsOf: extra)
        guard let credentials else { return fields }
        let signer = SigV4Signer(credentials: credentials, region: "us-west-2", service: "bedrock")
        for (name, value) in signer.signatureHeaders(
            method: "POST", path: path, headers: [("Content-Type", "application/json"), ("Host", "localhost")],
            payloadSHA256: SigV4Signer.sha256Hex(Array(body.utf8)))
        {
            fields.append(HTTPField(name: HTTPField.Name(name)!, value: value))
        }
        return fields
    }

    static func message(_ response: TestResponse) throws -> String? {
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        return object?["message"] as? String
    }

    @Test func aSignedCallRunsAsItsKey() async throws {
        let issued = try await issuer.create(name: "team-a")
        let credentials = AWSCredentials(accessKeyId: issued.credentials.accessKeyId, secretAccessKey: issued.credentials.secret)
        let response = try await withApp(enforce: true) { client in
            try await client.execute(uri: Self.path, method: .post, headers: Self.signed(credentials), body: ByteBuffer(string: Self.body))
        }
        #expect(response.status == .ok)
        #expect(plugin.ended.first?.descriptor.caller?.keyId == issued.record.id)
    }

    @Test func anonymousCallsRunAsBeforeWhenNotEnforced() async throws {
        let dummy = AWSCredentials(accessKeyId: "any", secretAccessKey: "any")
        let response = try await withApp { client in
            try await client.execute(uri: Self.path, method: .post, headers: Self.signed(dummy), body: ByteBuffer(string: Self.body))
        }
        #expect(response.status == .ok)
        #expect(plugin.ended.count == 1 && plugin.ended.first?.descriptor.caller == nil)
    }

    @Test func refusalsSpeakBedrockJSON() async throws {
        let issued = try await issuer.create(name: "k")
        let forged = AWSCredentials(accessKeyId: issued.credentials.accessKeyId, secretAccessKey: "wrong")
        let (missing, unknown, mismatch) = try await withApp(enforce: true) { client in
            (
                try await client.execute(uri: Self.path, method: .post, headers: Self.signed(nil), body: ByteBuffer(string: Self.body)),
                try await client.execute(
                    uri: Self.path, method: .post, headers: Self.signed(AWSCredentials(accessKeyId: "SWYDNOSUCHKEY2345678", secretAccessKey: "x")),
                    body: ByteBuffer(string: Self.body)),
                try await client.execute(uri: Self.path, method: .post, headers: Self.signed(forged), body: ByteBuffer(string: Self.body))
            )
        }
        #expect(missing.status == .forbidden && missing.headers[Self.errorType] == "MissingAuthenticationTokenException")
        #expect(try Self.message(missing) == "Missing Authentication Token")
        #expect(unknown.status == .forbidden && unknown.headers[Self.errorType] == "UnrecognizedClientException")
        #expect(mismatch.status == .forbidden && mismatch.headers[Self.errorType] == "InvalidSignatureException")
        #expect(try Self.message(mismatch)?.hasPrefix("The request signature we calculated does not match") == true)
        // No route ran: nothing reached the engine.
        #expect(plugin.ended.isEmpty)
    }

    @Test func refusalsAreCountedByDoorAndReason() async throws {
        let issued = try await issuer.create(name: "k")
        let forged = AWSCredentials(accessKeyId: issued.credentials.accessKeyId, secretAccessKey: "wrong")
        let metrics = PrometheusExport()
        try await withApp(enforce: true, metrics: metrics) { client in
            for _ in 0..<2 {
                _ = try await client.execute(uri: Self.path, method: .post, headers: Self.signed(forged), body: ByteBuffer(string: Self.body))
            }
            _ = try await client.execute(uri: Self.path, method: .post, headers: Self.signed(nil), body: ByteBuffer(string: Self.body))
            _ = try await client.execute(uri: "/bedrock/files/bucket?list-type=2", method: .get, headers: [:], body: nil)
        }
        let lines = String(buffer: metrics.render()).split(separator: "\n").filter { $0.hasPrefix("switchyard_auth_refusals_total{") }
        #expect(
            Set(lines) == [
                #"switchyard_auth_refusals_total{door="bedrock",reason="signature"} 2"#,
                #"switchyard_auth_refusals_total{door="bedrock",reason="missing"} 1"#,
                #"switchyard_auth_refusals_total{door="s3",reason="missing"} 1"#,
            ])
    }

    @Test func aRefusalIsLoggedOnceWithTheAccessKeyIdAndNoCredential() async throws {
        let issued = try await issuer.create(name: "k")
        let forged = AWSCredentials(accessKeyId: issued.credentials.accessKeyId, secretAccessKey: "wrong-secret")
        // A token pasted where the access key id goes: not an id, so not repeated.
        let pasted = AWSCredentials(accessKeyId: issued.credentials.token, secretAccessKey: "x")
        let recording = LogRecording()
        try await withApp(enforce: true, logs: recording) { client in
            for credentials in [forged, pasted] {
                _ = try await client.execute(
                    uri: Self.path + "?tag=a", method: .post, headers: Self.signed(credentials), body: ByteBuffer(string: Self.body))
            }
        }
        let refusals = recording.lines.filter { $0.message == "authentication refused" }
        #expect(refusals.map(\.level) == [.notice, .notice])
        #expect(
            refusals.first?.metadata.filter { $0.key != "hb.request.id" } == [
                "door": "bedrock", "reason": "signature", "method": "POST", "path": Self.path,
                "access_key_id": issued.credentials.accessKeyId,
            ])
        #expect(refusals.last?.metadata["reason"] == "unknown_key")
        #expect(refusals.last?.metadata["access_key_id"] == "(unreadable)")
        #expect(refusals.allSatisfy { $0.metadata["hb.request.id"] != nil })
        let logged = recording.lines.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(!logged.contains(issued.credentials.secret) && !logged.contains("Signature="))
    }

    @Test func refusalsSpeakS3XMLUnderTheFilesMount() async throws {
        let response = try await withApp(enforce: true) { client in
            try await client.execute(uri: "/bedrock/files/bucket?list-type=2", method: .get, headers: [:], body: nil)
        }
        #expect(response.status == .forbidden)
        let xml = String(buffer: response.body)
        #expect(xml.contains("<Code>AccessDenied</Code>") && xml.contains("<Message>Access Denied</Message>"))
    }

    @Test func anOversizedBodyIsRefusedBeforeAuthentication() async throws {
        let response = try await withApp(enforce: true, maxBodyBytes: 16) { client in
            try await client.execute(uri: Self.path, method: .post, headers: Self.signed(nil), body: ByteBuffer(string: Self.body))
        }
        #expect(response.status == .contentTooLarge)
        #expect(response.headers[Self.errorType] == "ValidationException")
    }

    @Test func otherPathsNeedNoKey() async throws {
        let response = try await withApp(enforce: true) { client in
            try await client.execute(uri: "/health", method: .get, headers: [:], body: nil)
        }
        #expect(response.status == .ok)
    }
}
