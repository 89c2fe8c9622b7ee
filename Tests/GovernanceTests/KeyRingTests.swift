import Crypto
import Engine
import Foundation
import Stores
import Testing

@testable import Governance

@Suite struct KeyRingTests {
    let dir: String
    let ring: KeyRing
    let issuer: KeyIssuer

    init() async throws {
        dir = NSTemporaryDirectory() + "switchyard-governance-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try await GatewayStore.open(dataDir: dir, logger: .init(label: "test"))
        ring = KeyRing(store: store.virtualKeys, box: try SecretBox.load(environment: [:], dataDir: dir))
        issuer = KeyIssuer(ring: ring)
    }

    @Test func generatedCredentialsHaveTheAWSShape() {
        let one = KeyCredentials.generate(), two = KeyCredentials.generate()
        #expect(KeyCredentials.isWellFormedAccessKeyId(one.accessKeyId))
        #expect(one.secret.utf8.count == 40)
        #expect(!one.accessKeyId.contains("/") && !one.secret.contains("/"))
        #expect(one != two)
        #expect(KeyCredentials(token: one.token) == one)
        #expect(KeyCredentials(token: "sk-swyd-.abc") == nil)
        #expect(KeyCredentials(token: "sk-other") == nil)
    }

    @Test func secretsMatchOnlyExactly() {
        #expect(KeyCredentials.secretsMatch("abc", "abc"))
        #expect(!KeyCredentials.secretsMatch("abd", "abc"))
        #expect(!KeyCredentials.secretsMatch("ab", "abc"))
        #expect(!KeyCredentials.secretsMatch("abcd", "abc"))
        #expect(!KeyCredentials.secretsMatch("", "abc"))
    }

    @Test func issuedKeysResolveAndTheStoreHoldsNoPlaintext() async throws {
        let issued = try await issuer.create(name: "search", policy: VirtualKeyPolicy(allowedModels: ["gpt-*"]))
        let entry = try #require(try await ring.entry(accessKeyId: issued.credentials.accessKeyId))
        #expect(entry.secret == issued.credentials.secret)
        #expect(entry.identity.keyId == issued.record.id)
        #expect(entry.identity.access.allows(provider: "openai", model: "gpt-4o"))
        #expect(!entry.identity.access.allows(provider: "openai", model: "o3"))
        #expect(try await ring.entry(keyId: issued.record.id)?.record.accessKeyId == issued.credentials.accessKeyId)

        let database = try Data(contentsOf: URL(fileURLWithPath: dir + "/switchyard.sqlite"))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: dir + "/switchyard.sqlite-wal"))) ?? Data()
        #expect(database.range(of: Data(issued.credentials.secret.utf8)) == nil)
        #expect(wal.range(of: Data(issued.credentials.secret.utf8)) == nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/master.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func rotationAndRevocationTakeEffectAtOnce() async throws {
        let issued = try await issuer.create(name: "k")
        _ = try await ring.entry(accessKeyId: issued.credentials.accessKeyId)
        let rotated = try await issuer.rotate(id: issued.record.id)
        #expect(try await ring.entry(accessKeyId: issued.credentials.accessKeyId) == nil)
        #expect(try await ring.entry(accessKeyId: rotated.credentials.accessKeyId)?.secret == rotated.credentials.secret)
        let revoked = try await issuer.revoke(id: issued.record.id)
        #expect(!revoked.isUsable(at: Date()))
        #expect(try await ring.entry(keyId: issued.record.id)?.record.active == false)
    }

    @Test func aSecretDoesNotOpenUnderAnotherMasterKeyOrRow() throws {
        let box = SecretBox(masterKey: SymmetricKey(size: .bits256))
        let sealed = try box.seal("s3cret", keyId: "a")
        #expect(try box.open(sealed, keyId: "a") == "s3cret")
        #expect(throws: SecretBoxError.self) { try box.open(sealed, keyId: "b") }
        #expect(throws: SecretBoxError.self) { try SecretBox(masterKey: SymmetricKey(size: .bits256)).open(sealed, keyId: "a") }
    }

    @Test func refusesBadNamesPatternsAndAccessKeyIds() async throws {
        await #expect(throws: KeyIssueError.self) { try await issuer.create(name: "") }
        await #expect(throws: KeyIssueError.self) { try await issuer.create(name: "x", policy: VirtualKeyPolicy(allowedModels: ["regex:("])) }
        await #expect(throws: KeyIssueError.self) {
            try await issuer.create(name: "x", credentials: KeyCredentials(accessKeyId: "AKID/with/slash", secret: "s"))
        }
    }
}

@Suite struct ModelAccessTests {
    @Test func patterns() {
        let access = ModelAccess(providers: ["openai", "anthropic"], models: ["gpt-4o*", "regex:claude-.*-sonnet", "anthropic/claude-3-haiku"])
        #expect(access.allows(provider: "openai", model: "gpt-4o-mini"))
        #expect(!access.allows(provider: "openai", model: "gpt-5"))
        #expect(access.allows(provider: "anthropic", model: "CLAUDE-4-SONNET"))
        #expect(access.allows(provider: "anthropic", model: "claude-3-haiku"))
        #expect(!access.allows(provider: "gemini", model: "gpt-4o"))
        #expect(access.allows(provider: "openai", model: "x", requested: "gpt-4o"))
        #expect(ModelAccess().allows(provider: "any", model: "thing"))
        #expect(ModelAccess(models: ["a*b*c"]).allows(model: "aXXbYYc"))
        #expect(!ModelAccess(models: ["a*b*c"]).allows(model: "aXXbYY"))
    }
}
