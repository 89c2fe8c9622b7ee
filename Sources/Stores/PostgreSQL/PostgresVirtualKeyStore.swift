import Foundation
import PostgresNIO

/// Virtual keys in PostgreSQL. Every change bumps the `keys` generation in its transaction, which is how the other
/// instances learn that their decoded keys are stale (`generation()`, polled).
public struct PostgresVirtualKeyStore: VirtualKeyStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    static let columns = "id, name, accessKeyId, sealedSecret, active, expiresAt, policy, metadata, source, createdAt, updatedAt, lastUsedAt"

    public func insert(_ key: VirtualKeyRecord) async throws {
        let row = try Row(key)
        try await write { connection, logger in
            if try await !connection.rows("SELECT 1 FROM virtual_keys WHERE id = \(key.id)", logger).isEmpty {
                throw VirtualKeyStoreError.duplicate(field: "id", value: key.id)
            }
            try await Self.checkCollision(connection, key, logger)
            try await connection.rows(
                """
                INSERT INTO virtual_keys (id, name, accessKeyId, sealedSecret, active, expiresAt, policy, metadata, source, createdAt, updatedAt, lastUsedAt)
                VALUES (\(row.id), \(row.name), \(row.accessKeyId), \(row.sealed), \(row.active), \(row.expiresAt), \(row.policy), \(row.metadata),
                    \(row.source), \(row.createdAt), \(row.updatedAt), \(row.lastUsedAt))
                """, logger)
        }
    }

    public func replace(_ key: VirtualKeyRecord) async throws {
        let row = try Row(key)
        try await write { connection, logger in
            try await Self.checkCollision(connection, key, logger)
            let changed = try await connection.rows(
                """
                UPDATE virtual_keys SET name = \(row.name), accessKeyId = \(row.accessKeyId), sealedSecret = \(row.sealed), active = \(row.active),
                    expiresAt = \(row.expiresAt), policy = \(row.policy), metadata = \(row.metadata), source = \(row.source),
                    createdAt = \(row.createdAt), updatedAt = \(row.updatedAt), lastUsedAt = \(row.lastUsedAt)
                WHERE id = \(row.id) RETURNING 1
                """, logger)
            guard !changed.isEmpty else { throw VirtualKeyStoreError.notFound(id: key.id) }
        }
    }

    public func key(id: String) async throws -> VirtualKeyRecord? {
        try await fetch("SELECT \(unescaped: Self.columns) FROM virtual_keys WHERE id = \(id)").first
    }

    public func key(accessKeyId: String) async throws -> VirtualKeyRecord? {
        try await fetch("SELECT \(unescaped: Self.columns) FROM virtual_keys WHERE accessKeyId = \(accessKeyId)").first
    }

    public func key(name: String) async throws -> VirtualKeyRecord? {
        try await fetch("SELECT \(unescaped: Self.columns) FROM virtual_keys WHERE name = \(name)").first
    }

    public func keys() async throws -> [VirtualKeyRecord] {
        try await fetch("SELECT \(unescaped: Self.columns) FROM virtual_keys ORDER BY createdAt, id")
    }

    public func delete(id: String) async throws -> Bool {
        try await write { connection, logger in
            try await !connection.rows("DELETE FROM virtual_keys WHERE id = \(id) RETURNING 1", logger).isEmpty
        }
    }

    /// Not a change another instance must see: no generation bump, or every request would empty every key cache.
    public func markUsed(_ uses: [String: Date]) async throws {
        guard !uses.isEmpty else { return }
        try await database.transaction { connection in
            for (id, at) in uses.sorted(by: { $0.key < $1.key }) {
                let seconds = at.timeIntervalSince1970
                try await connection.rows(
                    "UPDATE virtual_keys SET lastUsedAt = \(seconds) WHERE id = \(id) AND (lastUsedAt IS NULL OR lastUsedAt < \(seconds))",
                    database.logger)
            }
        }
    }

    /// Moves on with every change to any key, on any instance.
    public func generation() async throws -> Int64? {
        try await database.query("SELECT value FROM store_generations WHERE name = 'keys'").first?.decode(Int64.self) ?? 0
    }

    private func write<Result: Sendable>(_ body: (PostgresConnection, Logger) async throws -> Result) async throws -> Result {
        do {
            return try await database.transaction { connection in
                let result = try await body(connection, database.logger)
                try await connection.rows("UPDATE store_generations SET value = value + 1 WHERE name = 'keys'", database.logger)
                return result
            }
        } catch where PostgresDatabase.isUniqueViolation(error) {
            // Another instance inserted the same name or access key id between the check and the insert.
            throw VirtualKeyStoreError.duplicate(field: "name or access key id", value: "")
        }
    }

    private func fetch(_ query: PostgresQuery) async throws -> [VirtualKeyRecord] {
        try await database.query(query).map(Self.record)
    }

    static func checkCollision(_ connection: PostgresConnection, _ key: VirtualKeyRecord, _ logger: Logger) async throws {
        if try await !connection.rows("SELECT 1 FROM virtual_keys WHERE name = \(key.name) AND id <> \(key.id)", logger).isEmpty {
            throw VirtualKeyStoreError.duplicate(field: "name", value: key.name)
        }
        if try await !connection.rows("SELECT 1 FROM virtual_keys WHERE accessKeyId = \(key.accessKeyId) AND id <> \(key.id)", logger).isEmpty {
            throw VirtualKeyStoreError.duplicate(field: "access key id", value: key.accessKeyId)
        }
    }

    /// The record as the table's column values.
    struct Row {
        var id, name, accessKeyId, policy, metadata, source: String
        var sealed: Data
        var active: Bool
        var expiresAt, lastUsedAt: Double?
        var createdAt, updatedAt: Double

        init(_ key: VirtualKeyRecord) throws {
            id = key.id
            name = key.name
            accessKeyId = key.accessKeyId
            policy = String(decoding: try JSONEncoder.sortedKeys.encode(key.policy), as: UTF8.self)
            metadata = JSONText.encode(key.metadata)
            source = key.source.rawValue
            sealed = Data(key.sealedSecret)
            active = key.active
            expiresAt = key.expiresAt?.timeIntervalSince1970
            lastUsedAt = key.lastUsedAt?.timeIntervalSince1970
            createdAt = key.createdAt.timeIntervalSince1970
            updatedAt = key.updatedAt.timeIntervalSince1970
        }
    }

    static func record(_ row: PostgresRow) throws -> VirtualKeyRecord {
        let (id, name, accessKeyId, sealed, active, expiresAt, policy, metadata, source, createdAt, updatedAt, lastUsedAt) = try row.decode(
            (String, String, String, Data, Bool, Double?, String, String, String, Double, Double, Double?).self)
        return VirtualKeyRecord(
            id: id, name: name, accessKeyId: accessKeyId, sealedSecret: [UInt8](sealed), active: active,
            expiresAt: expiresAt.map(Date.init(timeIntervalSince1970:)),
            policy: try JSONDecoder().decode(VirtualKeyPolicy.self, from: Data(policy.utf8)), metadata: JSONText.decode(metadata),
            source: VirtualKeyRecord.Source(rawValue: source) ?? .api, createdAt: Date(timeIntervalSince1970: createdAt),
            updatedAt: Date(timeIntervalSince1970: updatedAt), lastUsedAt: lastUsedAt.map(Date.init(timeIntervalSince1970:)))
    }
}
