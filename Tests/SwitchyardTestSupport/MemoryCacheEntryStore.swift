import Foundation
import Stores
import Synchronization

/// The answer cache's store in memory, for tests that need no database.
public final class MemoryCacheEntryStore: CacheEntryStore {
    private let state = Mutex<[String: CacheEntryRecord]>([:])

    public init() {}

    public var entries: [CacheEntryRecord] { state.withLock { Array($0.values) } }

    public func write(puts: [CacheEntryRecord], deletes: [String]) async throws {
        state.withLock { entries in
            for entry in puts {
                entries = entries.filter { $0.value.key != entry.key || $0.key == entry.id }
                entries[entry.id] = entry
            }
            for id in deletes { entries[id] = nil }
        }
    }

    public func live(at now: Date) async throws -> [CacheEntryRecord] {
        state.withLock { $0.values.filter { $0.expiresAt > now }.sorted { $0.createdAt < $1.createdAt } }
    }

    public func recordHits(_ counts: [String: Int]) async throws {
        state.withLock { entries in
            for (id, count) in counts { entries[id]?.hits += count }
        }
    }

    public func delete(id: String) async throws -> Bool {
        state.withLock { $0.removeValue(forKey: id) != nil }
    }

    public func deleteAll(scope: String?) async throws -> Int {
        state.withLock { entries in
            let doomed = entries.values.filter { scope == nil || $0.scope == scope }.map(\.id)
            for id in doomed { entries[id] = nil }
            return doomed.count
        }
    }

    public func deleteExpired(at now: Date) async throws -> [String] {
        state.withLock { entries in
            let doomed = entries.values.filter { $0.expiresAt <= now }.map(\.id)
            for id in doomed { entries[id] = nil }
            return doomed
        }
    }
}
