import Foundation
import Testing

@testable import Stores

/// The `CacheEntryStore` contract, run against every store backend.
@Suite struct CacheEntryStoreTests {
    static func entry(_ id: String, key: String, scope: String = "vk:a", expiresIn: Double = 60, vector: [Float]? = nil) -> CacheEntryRecord {
        let now = Date()
        return CacheEntryRecord(
            id: id, key: key, scope: scope, provider: "openai", model: "gpt-4o-mini", partition: vector == nil ? nil : "p", embedding: vector,
            answer: Data("{\"parts\":[]}".utf8), createdAt: now, expiresAt: now.addingTimeInterval(expiresIn))
    }

    @Test(arguments: StoreBackend.available) func entriesRoundTripWithTheirVectors(_ backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store.cacheEntries
        let vector: [Float] = [0.6, -0.8, 0, 1e-7]
        try await store.write(puts: [Self.entry("1", key: "k1", vector: vector), Self.entry("2", key: "k2")], deletes: [])
        let live = try await store.live(at: Date())
        #expect(live.map(\.id).sorted() == ["1", "2"])
        #expect(live.first { $0.id == "1" }?.embedding == vector)
        #expect(live.first { $0.id == "2" }?.embedding == nil)
    }

    @Test(arguments: StoreBackend.available) func aNewEntryForAKeyReplacesTheOldOne(_ backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store.cacheEntries
        try await store.write(puts: [Self.entry("old", key: "k")], deletes: [])
        try await store.write(puts: [Self.entry("new", key: "k")], deletes: [])
        #expect(try await store.live(at: Date()).map(\.id) == ["new"])
    }

    @Test(arguments: StoreBackend.available) func expiredScopedAndSingleDeletes(_ backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store.cacheEntries
        try await store.write(
            puts: [
                Self.entry("gone", key: "k1", expiresIn: -1), Self.entry("a", key: "k2"), Self.entry("b", key: "k3", scope: "vk:b"),
                Self.entry("c", key: "k4", scope: "vk:b"),
            ], deletes: [])
        #expect(try await store.deleteExpired(at: Date()) == ["gone"])
        #expect(try await store.deleteAll(scope: "vk:b") == 2)
        #expect(try await store.delete(id: "a"))
        #expect(try await !store.delete(id: "a"))
        #expect(try await store.live(at: Date()).isEmpty)
    }
}
