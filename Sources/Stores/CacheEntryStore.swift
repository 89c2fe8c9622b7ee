import Foundation

/// One stored answer of the answer cache. `key` is the hash of the canonical request (key material: never shown);
/// `id` is what headers, the admin API and the log name.
public struct CacheEntryRecord: Sendable, Hashable {
    public var id: String
    public var key: String
    /// `vk:<id>`, `group:<name>`, `global` or `anonymous`.
    public var scope: String
    public var provider: String
    public var model: String
    /// The semantic partition (scope, model, parameters, embedding model) and the unit vector, for entries a
    /// paraphrase may find.
    public var partition: String?
    public var embedding: [Float]?
    /// The answer in the cache's own encoding.
    public var answer: Data
    public var createdAt: Date
    public var expiresAt: Date
    public var hits: Int

    public init(
        id: String, key: String, scope: String, provider: String, model: String, partition: String? = nil, embedding: [Float]? = nil,
        answer: Data, createdAt: Date, expiresAt: Date, hits: Int = 0
    ) {
        self.id = id
        self.key = key
        self.scope = scope
        self.provider = provider
        self.model = model
        self.partition = partition
        self.embedding = embedding
        self.answer = answer
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.hits = hits
    }
}

/// Where the answer cache keeps its entries so they outlive a restart (and, on a shared database, are seen by every
/// instance). The in-memory index in front of it answers lookups; the store is written behind it.
public protocol CacheEntryStore: Sendable {
    /// In one transaction: inserts each of `puts` (replacing the entry with the same key), then deletes `deletes`
    /// by id. The cache writes behind its answers in such groups, so a burst of misses costs one commit.
    func write(puts: [CacheEntryRecord], deletes: [String]) async throws
    /// Entries not expired at `now`, oldest first, for the index to load at start.
    func live(at now: Date) async throws -> [CacheEntryRecord]
    func recordHits(_ counts: [String: Int]) async throws
    /// Returns whether there was such an entry.
    func delete(id: String) async throws -> Bool
    /// Every entry of `scope`, or every entry when nil; returns how many went.
    func deleteAll(scope: String?) async throws -> Int
    /// Entries expired at `now`; returns their ids.
    func deleteExpired(at now: Date) async throws -> [String]
    /// Entries any gateway wrote after position `after` of the store's write order (0: from the start), with the
    /// position of the last; nil when no other gateway writes this store, so there is nothing to follow.
    func written(after: Int64, at now: Date) async throws -> (entries: [CacheEntryRecord], last: Int64)?
}

extension CacheEntryStore {
    public func written(after: Int64, at now: Date) async throws -> (entries: [CacheEntryRecord], last: Int64)? { nil }
}
