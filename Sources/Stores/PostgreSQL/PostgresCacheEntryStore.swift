import Foundation
import PostgresNIO

/// The answer cache's entries in PostgreSQL. Every write takes the next `seq`, so each gateway can follow what the
/// others wrote (`written(after:)`) into its own in-memory index. A write whose `seq` was taken before another's but
/// committed after it may be passed over by a follower; for a cache that is a later miss, never a wrong answer.
public struct PostgresCacheEntryStore: CacheEntryStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    static let columns = "id, key, scope, provider, model, partition, embedding, answer, createdAt, expiresAt, hits"

    public func write(puts: [CacheEntryRecord], deletes: [String]) async throws {
        guard !puts.isEmpty || !deletes.isEmpty else { return }
        try await database.transaction { connection in
            for entry in puts {
                try await connection.rows("DELETE FROM cache_entries WHERE key = \(entry.key) AND id <> \(entry.id)", database.logger)
                try await connection.rows(
                    """
                    INSERT INTO cache_entries (\(unescaped: Self.columns)) VALUES (\(entry.id), \(entry.key), \(entry.scope), \(entry.provider),
                        \(entry.model), \(entry.partition), \(entry.embedding.map(SQLiteCacheEntryStore.bytes)), \(entry.answer),
                        \(entry.createdAt.timeIntervalSince1970), \(entry.expiresAt.timeIntervalSince1970), \(Int64(entry.hits)))
                    ON CONFLICT (id) DO UPDATE SET key = excluded.key, scope = excluded.scope, provider = excluded.provider,
                        model = excluded.model, partition = excluded.partition, embedding = excluded.embedding, answer = excluded.answer,
                        createdAt = excluded.createdAt, expiresAt = excluded.expiresAt, hits = excluded.hits,
                        seq = nextval('cache_entries_seq')
                    """, database.logger)
            }
            if !deletes.isEmpty { try await connection.rows("DELETE FROM cache_entries WHERE id = ANY(\(deletes))", database.logger) }
        }
    }

    public func live(at now: Date) async throws -> [CacheEntryRecord] {
        try await database.query(
            "SELECT \(unescaped: Self.columns) FROM cache_entries WHERE expiresAt > \(now.timeIntervalSince1970) ORDER BY createdAt"
        ).map(Self.record)
    }

    public func written(after: Int64, at now: Date) async throws -> (entries: [CacheEntryRecord], last: Int64)? {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns), seq FROM cache_entries WHERE seq > \(after) AND expiresAt > \(now.timeIntervalSince1970)
            ORDER BY seq LIMIT 1000
            """)
        if let last = rows.last {
            return (try rows.map(Self.record), try last.makeRandomAccess()[11].decode(Int64.self))
        }
        let top = try await database.query("SELECT COALESCE(MAX(seq), 0)::BIGINT FROM cache_entries").first?.decode(Int64.self) ?? 0
        return ([], after == Int64.max ? top : max(after, top))
    }

    public func recordHits(_ counts: [String: Int]) async throws {
        guard !counts.isEmpty else { return }
        try await database.transaction { connection in
            for (id, count) in counts.sorted(by: { $0.key < $1.key }) {
                try await connection.rows("UPDATE cache_entries SET hits = hits + \(Int64(count)) WHERE id = \(id)", database.logger)
            }
        }
    }

    public func delete(id: String) async throws -> Bool {
        try await !database.query("DELETE FROM cache_entries WHERE id = \(id) RETURNING 1").isEmpty
    }

    public func deleteAll(scope: String?) async throws -> Int {
        if let scope { return try await database.query("DELETE FROM cache_entries WHERE scope = \(scope) RETURNING 1").count }
        return try await database.query("DELETE FROM cache_entries RETURNING 1").count
    }

    public func deleteExpired(at now: Date) async throws -> [String] {
        try await database.query("DELETE FROM cache_entries WHERE expiresAt <= \(now.timeIntervalSince1970) RETURNING id").map {
            try $0.decode(String.self)
        }
    }

    static func record(_ row: PostgresRow) throws -> CacheEntryRecord {
        let c = row.makeRandomAccess()
        return CacheEntryRecord(
            id: try c[0].decode(String.self), key: try c[1].decode(String.self), scope: try c[2].decode(String.self),
            provider: try c[3].decode(String.self), model: try c[4].decode(String.self), partition: try c[5].decode(String?.self),
            embedding: try c[6].decode(Data?.self).map(SQLiteCacheEntryStore.floats), answer: try c[7].decode(Data.self),
            createdAt: Date(timeIntervalSince1970: try c[8].decode(Double.self)), expiresAt: Date(timeIntervalSince1970: try c[9].decode(Double.self)),
            hits: Int(try c[10].decode(Int64.self)))
    }
}
