import AWSWire
import Engine
import Foundation
import NIOCore
import Stores
import Testing

@testable import Governance

/// The authenticator against a real key store: requests signed by the gateway's own SigV4 signer (itself checked
/// against botocore in AWSWireTests), bearer tokens and key headers.
@Suite struct AuthenticatorTests {
    let dir: String
    let ring: KeyRing
    let issuer: KeyIssuer
    let clock = Date(timeIntervalSince1970: 1_795_309_323)

    init() async throws {
        dir = NSTemporaryDirectory() + "switchyard-authenticator-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try await GatewayStore.open(dataDir: dir, logger: .init(label: "test"))
        ring = KeyRing(store: store.virtualKeys, box: try SecretBox.load(environment: [:], dataDir: dir))
        issuer = KeyIssuer(ring: ring)
    }

    func authenticator(enforce: Bool = false) -> Authenticator {
        let clock = self.clock
        return Authenticator(ring: ring, settings: GovernanceSettings(enforce: enforce), now: { clock })
    }

    struct Headers: SigV4HeaderSource {
        var fields: [(String, String)]
        func values(of lowercasedName: String) -> [String] {
            fields.filter { $0.0.lowercased() == lowercasedName }.map(\.1)
        }
    }

    static let body = ByteBuffer(string: #"{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}"#)
    static let path = "/bedrock/model/openai%2Fgpt-4o-mini/converse"

    /// A Converse request as boto3 would send it, signed with `credentials` at `signedAt`.
    func converse(
        signedBy credentials: AWSCredentials?, at signedAt: Date? = nil, extra: [(String, String)] = [], body: ByteBuffer = body
    ) -> SigV4Request {
        var fields: [(String, String)] = [("Content-Type", "application/json")] + extra
        if let credentials {
            let signer = SigV4Signer(credentials: credentials, region: "us-west-2", service: "bedrock")
            fields += signer.signatureHeaders(
                method: "POST", path: Self.path, headers: [("Content-Type", "application/json"), ("Host", "localhost:8080")],
                payloadSHA256: PayloadSHA256.hex(of: Self.body), date: signedAt ?? clock)
        }
        return SigV4Request(method: "POST", path: Substring(Self.path), query: "", authority: "localhost:8080", headers: Headers(fields: fields))
    }

    func refusal(_ authenticator: Authenticator, _ request: SigV4Request, body: ByteBuffer = body) async -> AuthenticationRefusal? {
        do {
            _ = try await authenticator.authenticate(request, door: .bedrock, body: body)
            return nil
        } catch {
            return error
        }
    }

    func credentials(_ issued: KeyIssuer.Issued) -> AWSCredentials {
        AWSCredentials(accessKeyId: issued.credentials.accessKeyId, secretAccessKey: issued.credentials.secret)
    }

    static let dummy = AWSCredentials(accessKeyId: "any", secretAccessKey: "any")

    @Test func aSignedRequestIsItsKeysCaller() async throws {
        let issued = try await issuer.create(name: "team-a", policy: VirtualKeyPolicy(allowedModels: ["gpt-*"]))
        let caller = try await authenticator().authenticate(converse(signedBy: credentials(issued)), door: .bedrock, body: Self.body)
        #expect(caller?.keyId == issued.record.id)
        #expect(caller?.name == "team-a")
        #expect(caller?.access.models == ["gpt-*"])
        // The use is noted and written with the next flush.
        try await ring.flushUses()
        #expect(try await ring.store.key(id: issued.record.id)?.lastUsedAt == clock)
    }

    @Test func dummyCredentialsAreAnonymousUnlessEnforced() async throws {
        let request = converse(signedBy: Self.dummy)
        #expect(try await authenticator().authenticate(request, door: .bedrock, body: Self.body) == nil)
        #expect(await refusal(authenticator(enforce: true), request) == .unknownKey.presenting("any"))
    }

    @Test func noCredentialIsAnonymousUnlessEnforced() async throws {
        let request = converse(signedBy: nil)
        #expect(try await authenticator().authenticate(request, door: .bedrock, body: Self.body) == nil)
        #expect(await refusal(authenticator(enforce: true), request) == .missing)
    }

    @Test func aWrongSecretOrAlteredBodyIsAMismatch() async throws {
        let issued = try await issuer.create(name: "k")
        let forged = AWSCredentials(accessKeyId: issued.credentials.accessKeyId, secretAccessKey: "not-the-secret")
        let refused = await refusal(authenticator(), converse(signedBy: forged))
        #expect(refused?.reason == .signature(SigV4Failure(.signatureMismatch, refused?.message ?? "")))
        #expect(refused?.message.hasPrefix("The request signature we calculated does not match") == true)
        #expect(refused?.accessKeyId == issued.credentials.accessKeyId)
        let altered = await refusal(authenticator(), converse(signedBy: credentials(issued)), body: ByteBuffer(string: "{}"))
        #expect(altered?.message.hasPrefix("The request signature we calculated does not match") == true)
    }

    @Test func aSkewedClockIsRefusedWithAWSsMessage() async throws {
        let issued = try await issuer.create(name: "k")
        let refused = await refusal(authenticator(), converse(signedBy: credentials(issued), at: clock.addingTimeInterval(-600)))
        #expect(
            refused?.message
                == "Signature expired: 20261122T005203Z is now earlier than 20261122T005703Z (20261122T010203Z - 5 min.)")
    }

    @Test func bearerTokensAndKeyHeaders() async throws {
        let issued = try await issuer.create(name: "k")
        let token = issued.credentials.token
        for extra in [[("Authorization", "Bearer \(token)")], [("x-bf-vk", token)], [("x-swyd-vk", token)]] {
            let caller = try await authenticator(enforce: true).authenticate(converse(signedBy: nil, extra: extra), door: .bedrock, body: Self.body)
            #expect(caller?.keyId == issued.record.id, "\(extra[0].0)")
        }
        // A key header beside boto3's dummy SigV4 credentials, as a before-sign hook adds it.
        let hooked = converse(signedBy: Self.dummy, extra: [("x-bf-vk", token)])
        #expect(try await authenticator(enforce: true).authenticate(hooked, door: .bedrock, body: Self.body)?.keyId == issued.record.id)
        let wrong = KeyCredentials(accessKeyId: issued.credentials.accessKeyId, secret: "wrong").token
        #expect(
            await refusal(authenticator(), converse(signedBy: nil, extra: [("Authorization", "Bearer \(wrong)")]))
                == .unknownKey.presenting(issued.credentials.accessKeyId))
        // A token that cannot be read names no access key id: nothing of it is repeated.
        #expect(await refusal(authenticator(), converse(signedBy: nil, extra: [("x-bf-vk", "sk-bf-legacy")])) == .unknownKey)
        // A bearer token that is no virtual key is someone's own Bedrock API key: not ours to judge.
        #expect(try await authenticator().authenticate(converse(signedBy: nil, extra: [("Authorization", "Bearer ABSKabc")]), door: .bedrock, body: Self.body) == nil)
    }

    @Test func twoKeysInOneRequestAreRefused() async throws {
        let a = try await issuer.create(name: "a"), b = try await issuer.create(name: "b")
        let both = converse(signedBy: credentials(a), extra: [("x-bf-vk", b.credentials.token)])
        #expect(await refusal(authenticator(), both) == .conflicting.presenting(a.credentials.accessKeyId))
        let same = converse(signedBy: credentials(a), extra: [("x-bf-vk", a.credentials.token)])
        #expect(try await authenticator().authenticate(same, door: .bedrock, body: Self.body)?.keyId == a.record.id)
    }

    @Test func revokedAndExpiredKeysAreRefusedOnceProven() async throws {
        let revoked = try await issuer.create(name: "revoked")
        _ = try await issuer.revoke(id: revoked.record.id)
        #expect(await refusal(authenticator(), converse(signedBy: credentials(revoked))) == .inactive.presenting(revoked.credentials.accessKeyId))
        let expired = try await issuer.create(name: "expired", expiresAt: clock.addingTimeInterval(-1))
        #expect(await refusal(authenticator(), converse(signedBy: credentials(expired))) == .expired.presenting(expired.credentials.accessKeyId))
        // Without the secret nobody learns that the key exists but is revoked.
        let forged = AWSCredentials(accessKeyId: revoked.credentials.accessKeyId, secretAccessKey: "x")
        #expect(await refusal(authenticator(), converse(signedBy: forged))?.reason != .inactive)
    }

    @Test func aVirtualKeyWithASessionTokenIsRefused() async throws {
        let issued = try await issuer.create(name: "k")
        var withToken = credentials(issued)
        withToken.sessionToken = "token"
        #expect(await refusal(authenticator(), converse(signedBy: withToken)) == .sessionToken.presenting(issued.credentials.accessKeyId))
    }

    @Test func anUnreadableSignatureCountsOnlyWhenEnforced() async throws {
        let request = converse(signedBy: nil, extra: [("Authorization", "AWS4-HMAC-SHA256 Credential=x"), ("X-Amz-Date", "20261122T010203Z")])
        #expect(try await authenticator().authenticate(request, door: .bedrock, body: Self.body) == nil)
        let unreadable = await refusal(authenticator(enforce: true), request)
        #expect(unreadable?.message.contains("requires 'SignedHeaders'") == true)
        #expect(unreadable?.accessKeyId == nil)
    }

    @Test func theBearerSchemeIsReadCaseInsensitivelyWithItsBlanksTrimmed() {
        #expect(Authenticator.bearerToken("Bearer sk-swyd-A.b") == "sk-swyd-A.b")
        #expect(Authenticator.bearerToken(" \tBEARER \t tok\t ") == "tok")
        #expect(Authenticator.bearerToken("bearer\ttok") == nil)
        #expect(Authenticator.bearerToken("Bearer ") == nil)
        #expect(Authenticator.bearerToken("Bearer   ") == nil)
        #expect(Authenticator.bearerToken("Bear tok") == nil)
        #expect(Authenticator.bearerToken("AWS4-HMAC-SHA256 Credential=AKID/20261122/us-west-2/bedrock/aws4_request") == nil)
        #expect(Authenticator.bearerToken("Bearer ключ") == "ключ")
        #expect(Authenticator.isVirtualKeyBearer("bearer sk-swyd-A.b") && !Authenticator.isVirtualKeyBearer("Bearer ABSK-own-key"))
    }
}
