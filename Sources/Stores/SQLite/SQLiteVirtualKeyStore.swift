import Foundation
import GRDB

public struct SQLiteVirtualKeyStore: VirtualKeyStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    public func insert(_ key: VirtualKeyRecord) async throws {
        try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM virtual_keys WHERE id = ?", arguments: [key.id]) != nil {
                throw VirtualKeyStoreError.duplicate(field: "id", value: key.id)
            }
            if let collision = try VirtualKeyTable.collision(db, key) { throw collision }
            try db.execute(
                sql: "INSERT INTO virtual_keys (\(VirtualKeyTable.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: try VirtualKeyTable.arguments(key))
        }
    }

    public func replace(_ key: VirtualKeyRecord) async throws {
        try await pool.write { db in
            if let collision = try VirtualKeyTable.collision(db, key) { throw collision }
            try db.execute(
                sql: """
                    UPDATE virtual_keys SET id = ?, name = ?, accessKeyId = ?, sealedSecret = ?, active = ?, expiresAt = ?, policy = ?,
                    metadata = ?, source = ?, createdAt = ?, updatedAt = ?, lastUsedAt = ? WHERE id = ?
                    """,
                arguments: try VirtualKeyTable.arguments(key) + [key.id])
            guard db.changesCount == 1 else { throw VirtualKeyStoreError.notFound(id: key.id) }
        }
    }

    public func key(id: String) async throws -> VirtualKeyRecord? {
        try await fetchOne("id", id)
    }

    public func key(accessKeyId: String) async throws -> VirtualKeyRecord? {
        try await fetchOne("accessKeyId", accessKeyId)
    }

    public func key(name: String) async throws -> VirtualKeyRecord? {
        try await fetchOne("name", name)
    }

    public func keys() async throws -> [VirtualKeyRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM virtual_keys ORDER BY createdAt, id").map(VirtualKeyTable.record)
        }
    }

    public func delete(id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM virtual_keys WHERE id = ?", arguments: [id])
            return db.changesCount == 1
        }
    }

    public func markUsed(_ uses: [String: Date]) async throws {
        guard !uses.isEmpty else { return }
        try await pool.write { db in
            for (id, at) in uses {
                // Never moves backwards: two gateways may report the same key out of order.
                try db.execute(
                    sql: "UPDATE virtual_keys SET lastUsedAt = ? WHERE id = ? AND (lastUsedAt IS NULL OR lastUsedAt < ?)",
                    arguments: [at.timeIntervalSince1970, id, at.timeIntervalSince1970])
            }
        }
    }

    private func fetchOne(_ column: String, _ value: String) async throws -> VirtualKeyRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM virtual_keys WHERE \(column) = ?", arguments: [value]).map(VirtualKeyTable.record)
        }
    }
}
