import Foundation
import GRDB

/// The answer cache's entries in the gateway's SQLite database.
public struct SQLiteCacheEntryStore: CacheEntryStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    // Dates are REAL seconds since 1970, like the other tables; the vector is little-endian Float32 bytes.
    static let schema = """
        CREATE TABLE cache_entries (
            id TEXT NOT NULL PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            scope TEXT NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            partition TEXT,
            embedding BLOB,
            answer BLOB NOT NULL,
            createdAt REAL NOT NULL,
            expiresAt REAL NOT NULL,
            hits INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX cache_entries_by_expiry ON cache_entries (expiresAt);
        CREATE INDEX cache_entries_by_scope ON cache_entries (scope);
        """

    public func write(puts: [CacheEntryRecord], deletes: [String]) async throws {
        guard !puts.isEmpty || !deletes.isEmpty else { return }
        try await pool.write { db in
            let replaceKey = try db.cachedStatement(sql: "DELETE FROM cache_entries WHERE key = ? AND id <> ?")
            let insert = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO cache_entries (id, key, scope, provider, model, partition, embedding, answer, createdAt, expiresAt, hits)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for entry in puts {
                try replaceKey.execute(arguments: [entry.key, entry.id])
                try insert.execute(arguments: [
                    entry.id, entry.key, entry.scope, entry.provider, entry.model, entry.partition, entry.embedding.map(Self.bytes),
                    entry.answer, entry.createdAt.timeIntervalSince1970, entry.expiresAt.timeIntervalSince1970, entry.hits,
                ])
            }
            let delete = try db.cachedStatement(sql: "DELETE FROM cache_entries WHERE id = ?")
            for id in deletes { try delete.execute(arguments: [id]) }
        }
    }

    public func live(at now: Date) async throws -> [CacheEntryRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM cache_entries WHERE expiresAt > ? ORDER BY createdAt", arguments: [now.timeIntervalSince1970])
                .map(Self.record)
        }
    }

    public func recordHits(_ counts: [String: Int]) async throws {
        guard !counts.isEmpty else { return }
        try await pool.write { db in
            for (id, count) in counts {
                try db.execute(sql: "UPDATE cache_entries SET hits = hits + ? WHERE id = ?", arguments: [count, id])
            }
        }
    }

    public func delete(id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM cache_entries WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func deleteAll(scope: String?) async throws -> Int {
        try await pool.write { db in
            if let scope {
                try db.execute(sql: "DELETE FROM cache_entries WHERE scope = ?", arguments: [scope])
            } else {
                try db.execute(sql: "DELETE FROM cache_entries")
            }
            return db.changesCount
        }
    }

    public func deleteExpired(at now: Date) async throws -> [String] {
        try await pool.write { db in
            let cutoff = now.timeIntervalSince1970
            let ids = try String.fetchAll(db, sql: "SELECT id FROM cache_entries WHERE expiresAt <= ?", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM cache_entries WHERE expiresAt <= ?", arguments: [cutoff])
            return ids
        }
    }

    static func record(_ row: Row) -> CacheEntryRecord {
        let embedding: Data? = row["embedding"]
        return CacheEntryRecord(
            id: row["id"], key: row["key"], scope: row["scope"], provider: row["provider"], model: row["model"],
            partition: row["partition"], embedding: embedding.map(floats), answer: row["answer"],
            createdAt: Date(timeIntervalSince1970: row["createdAt"]), expiresAt: Date(timeIntervalSince1970: row["expiresAt"]),
            hits: row["hits"])
    }

    static func bytes(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    static func floats(_ data: Data) -> [Float] {
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count - 3, by: 4).map { i in
            let bits = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            return Float(bitPattern: bits)
        }
    }
}
