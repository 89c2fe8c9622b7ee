import Foundation
import Testing

@testable import Stores

struct VirtualKeyStoreCase {
    let opened: OpenedStore
    let store: any VirtualKeyStore

    init(_ backend: StoreBackend) async throws {
        opened = try await backend.open()
        store = opened.store.virtualKeys
    }

    func key(_ id: String, name: String, accessKeyId: String) -> VirtualKeyRecord {
        VirtualKeyRecord(
            id: id, name: name, accessKeyId: accessKeyId, sealedSecret: [1, 2, 3], expiresAt: Date(timeIntervalSince1970: 1_900_000_000),
            policy: VirtualKeyPolicy(
                allowedProviders: ["openai"], allowedModels: ["gpt-*"], pinnedKeys: ["main"],
                budgets: [BudgetRule(id: "daily", limitNanos: 2_500_000_000, period: "1d", calendarAligned: true)],
                rateLimit: RateLimitRule(requests: 10, tokens: 1000, windowSeconds: 60, maxConcurrent: 2)),
            metadata: ["team": "search"], createdAt: Date(timeIntervalSince1970: 1_700_000_000))
    }

    func roundTripsEveryField() async throws {
        let original = key("k1", name: "search", accessKeyId: "SWYDAAAAAAAAAAAAAAAA")
        try await store.insert(original)
        #expect(try await store.key(id: "k1") == original)
        #expect(try await store.key(accessKeyId: "SWYDAAAAAAAAAAAAAAAA") == original)
        #expect(try await store.key(name: "search") == original)
        #expect(try await store.key(accessKeyId: "SWYDBBBBBBBBBBBBBBBB") == nil)
    }

    func refusesTakenNamesAndAccessKeyIds() async throws {
        try await store.insert(key("k1", name: "a", accessKeyId: "SWYDAAAAAAAAAAAAAAAA"))
        await #expect(throws: VirtualKeyStoreError.duplicate(field: "name", value: "a")) {
            try await store.insert(key("k2", name: "a", accessKeyId: "SWYDBBBBBBBBBBBBBBBB"))
        }
        await #expect(throws: VirtualKeyStoreError.duplicate(field: "access key id", value: "SWYDAAAAAAAAAAAAAAAA")) {
            try await store.insert(key("k2", name: "b", accessKeyId: "SWYDAAAAAAAAAAAAAAAA"))
        }
        try await store.insert(key("k2", name: "b", accessKeyId: "SWYDBBBBBBBBBBBBBBBB"))
        var renamed = try #require(try await store.key(id: "k2"))
        renamed.name = "a"
        await #expect(throws: VirtualKeyStoreError.duplicate(field: "name", value: "a")) { try await store.replace(renamed) }
        #expect(try await store.keys().map(\.id) == ["k1", "k2"])
    }

    func replaceDeleteAndLastUse() async throws {
        var record = key("k1", name: "a", accessKeyId: "SWYDAAAAAAAAAAAAAAAA")
        try await store.insert(record)
        record.active = false
        record.policy.allowedModels = []
        try await store.replace(record)
        #expect(try await store.key(id: "k1") == record)
        await #expect(throws: VirtualKeyStoreError.notFound(id: "nope")) { try await store.replace(key("nope", name: "x", accessKeyId: "SWYDCCCCCCCCCCCCCCCC")) }

        let later = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.markUsed(["k1": later])
        try await store.markUsed(["k1": Date(timeIntervalSince1970: 1_750_000_000)])
        #expect(try await store.key(id: "k1")?.lastUsedAt == later)

        #expect(try await store.delete(id: "k1"))
        #expect(try await !store.delete(id: "k1"))
        #expect(try await store.key(id: "k1") == nil)
    }
}

/// The `VirtualKeyStore` contract, run against every store backend.
@Suite struct VirtualKeyStoreTests {
    @Test(arguments: StoreBackend.available) func roundTripsEveryField(_ backend: StoreBackend) async throws {
        try await VirtualKeyStoreCase(backend).roundTripsEveryField()
    }

    @Test(arguments: StoreBackend.available) func refusesTakenNamesAndAccessKeyIds(_ backend: StoreBackend) async throws {
        try await VirtualKeyStoreCase(backend).refusesTakenNamesAndAccessKeyIds()
    }

    @Test(arguments: StoreBackend.available) func replaceDeleteAndLastUse(_ backend: StoreBackend) async throws {
        try await VirtualKeyStoreCase(backend).replaceDeleteAndLastUse()
    }
}
