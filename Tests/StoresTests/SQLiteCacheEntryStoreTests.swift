import Foundation
import Testing

@testable import Stores

@Suite struct SQLiteCacheEntryStoreTests {
    static func entry(_ id: String, key: String, scope: String = "vk:a", expiresIn: Double = 60, vector: [Float]? = nil) -> CacheEntryRecord {
        let now = Date()
        return CacheEntryRecord(
            id: id, key: key, scope: scope, provider: "openai", model: "gpt-4o-mini", partition: vector == nil ? nil : "p", embedding: vector,
            answer: Data("{\"parts\":[]}".utf8), createdAt: now, expiresAt: now.addingTimeInterval(expiresIn))
    }

    @Test func entriesRoundTripWithTheirVectors() async throws {
        let dir = try TemporaryDirectory()
        let store = SQLiteCacheEntryStore(pool: try StoreDatabase.open(dataDir: dir.path))
        let vector: [Float] = [0.6, -0.8, 0, 1e-7]
        try await store.write(puts: [Self.entry("1", key: "k1", vector: vector), Self.entry("2", key: "k2")], deletes: [])
        let live = try await store.live(at: Date())
        #expect(live.map(\.id).sorted() == ["1", "2"])
        #expect(live.first { $0.id == "1" }?.embedding == vector)
        #expect(live.first { $0.id == "2" }?.embedding == nil)
    }

    @Test func aNewEntryForAKeyReplacesTheOldOne() async throws {
        let dir = try TemporaryDirectory()
        let store = SQLiteCacheEntryStore(pool: try StoreDatabase.open(dataDir: dir.path))
        try await store.write(puts: [Self.entry("old", key: "k")], deletes: [])
        try await store.write(puts: [Self.entry("new", key: "k")], deletes: [])
        #expect(try await store.live(at: Date()).map(\.id) == ["new"])
    }

    @Test func expiredScopedAndSingleDeletes() async throws {
        let dir = try TemporaryDirectory()
        let store = SQLiteCacheEntryStore(pool: try StoreDatabase.open(dataDir: dir.path))
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
