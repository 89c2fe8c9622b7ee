import Engine
import Foundation
import Stores
import Testing

@testable import Governance

@Suite struct ConfigKeySyncTests {
    let dir: String
    let store: GatewayStore
    let issuer: KeyIssuer

    init() async throws {
        dir = NSTemporaryDirectory() + "switchyard-config-keys-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try await GatewayStore.open(dataDir: dir, logger: .init(label: "test"))
        issuer = KeyIssuer(ring: KeyRing(store: store.virtualKeys, box: try SecretBox.load(environment: [:], dataDir: dir)))
    }

    static func declared(_ name: String, akid: String = "DECLAREDKEY0000001", secret: String = "declared-secret-0123456789") -> DeclaredKey {
        var key = DeclaredKey(name: name, accessKeyId: akid, secret: secret)
        key.allowedModels = ["gpt-4o*"]
        key.budgets = [DeclaredKey.Budget(id: "month", limitNanos: 5_000_000_000, period: "1M", calendarAligned: true)]
        return key
    }

    @Test func declaredKeysAreCreatedThenUpdatedInPlaceAndRevokedWhenRemoved() async throws {
        let sync = ConfigKeySync(issuer: issuer)
        var key = Self.declared("search")
        #expect(try await sync.sync([key]).created == ["search"])
        let first = try #require(try await store.virtualKeys.key(name: "search"))
        #expect(first.source == .config && first.accessKeyId == "DECLAREDKEY0000001" && first.policy.allowedModels == ["gpt-4o*"])
        #expect(try await issuer.ring.entry(accessKeyId: "DECLAREDKEY0000001")?.secret == "declared-secret-0123456789")

        // Started again with the same file: nothing is written.
        #expect(try await sync.sync([key]) == ConfigKeySync.Report(unchanged: ["search"]))
        #expect(try await store.virtualKeys.key(name: "search") == first)

        key.allowedModels = ["o3"]
        key.rateLimit = DeclaredKey.RateLimit(requests: 5)
        #expect(try await sync.sync([key]).updated == ["search"])
        let changed = try #require(try await store.virtualKeys.key(name: "search"))
        #expect(changed.id == first.id && changed.policy.allowedModels == ["o3"] && changed.policy.rateLimit?.requests == 5)

        key.secret = "a-new-secret-from-the-vault-01"
        #expect(try await sync.sync([key]).rotated == ["search"])
        #expect(try await issuer.ring.entry(accessKeyId: "DECLAREDKEY0000001")?.secret == "a-new-secret-from-the-vault-01")
        #expect(try await store.virtualKeys.key(name: "search")?.id == first.id)

        #expect(try await sync.sync([]).revoked == ["search"])
        let revoked = try #require(try await store.virtualKeys.key(id: first.id))
        #expect(!revoked.active)
        #expect(try await sync.sync([]) == ConfigKeySync.Report())

        // Declared again: back on, same id.
        #expect(try await sync.sync([key]).updated == ["search"])
        #expect(try await store.virtualKeys.key(id: first.id)?.active == true)
    }

    @Test func aRenameInTheFileKeepsTheIdByTheAccessKeyId() async throws {
        let sync = ConfigKeySync(issuer: issuer)
        _ = try await sync.sync([Self.declared("old-name")])
        let id = try #require(try await store.virtualKeys.key(name: "old-name")?.id)
        #expect(try await sync.sync([Self.declared("new-name")]).updated == ["new-name"])
        #expect(try await store.virtualKeys.key(name: "new-name")?.id == id)
        #expect(try await store.virtualKeys.key(name: "old-name") == nil)
    }

    @Test func aDeclaredNameThatAnAPIKeyHoldsIsRefusedAndAPIKeysAreLeftAlone() async throws {
        let api = try await issuer.create(name: "team")
        await #expect(throws: KeyIssueError.self) { try await ConfigKeySync(issuer: issuer).sync([Self.declared("team")]) }
        _ = try await ConfigKeySync(issuer: issuer).sync([])
        #expect(try await store.virtualKeys.key(id: api.record.id)?.active == true)
    }
}
