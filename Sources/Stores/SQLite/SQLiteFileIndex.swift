import Foundation
import GRDB

/// The file index in SQLite. GRDB's async methods run on its own queues, never on an event loop.
public struct SQLiteFileIndex: FileIndex {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    @discardableResult public func put(_ record: ObjectRecord) async throws -> ObjectRecord? {
        try await pool.write { db in try ObjectTable.upsert(db, record) }
    }

    public func get(namespace: String, bucket: String, key: String) async throws -> ObjectRecord? {
        try await pool.read { db in try ObjectTable.fetch(db, namespace: namespace, bucket: bucket, key: key) }
    }

    public func get(namespace: String, etag: String) async throws -> ObjectRecord? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(ObjectTable.columns) FROM objects WHERE namespace = ? AND etag = ? ORDER BY lastModified DESC LIMIT 1",
                arguments: [namespace, etag]
            ).map(ObjectTable.record)
        }
    }

    @discardableResult public func delete(namespace: String, bucket: String, key: String) async throws -> ObjectRecord? {
        try await pool.write { db in
            guard let previous = try ObjectTable.fetch(db, namespace: namespace, bucket: bucket, key: key) else { return nil }
            try db.execute(
                sql: "DELETE FROM objects WHERE namespace = ? AND bucket = ? AND key = ?", arguments: [namespace, bucket, key])
            return previous
        }
    }

    public func list(
        namespace: String, bucket: String, prefix: String, startAfter: String?, limit: Int, owner: OwnerScope
    ) async throws -> [ObjectRecord] {
        guard limit > 0 else { return [] }
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("prefix", prefix), ("start-after key", startAfter))
        return try await pool.read { db in
            // A key range on the primary key instead of LIKE: LIKE folds ASCII case and treats % and _ as wildcards.
            var sql = "SELECT \(ObjectTable.columns) FROM objects WHERE namespace = ? AND bucket = ? AND key >= ?"
            var arguments: StatementArguments = [namespace, bucket, prefix]
            if let upper = ObjectTable.upperBound(ofPrefix: prefix) {
                sql += " AND key < CAST(? AS TEXT)"
                _ = arguments.append(contentsOf: [upper])
            }
            if let startAfter {
                sql += " AND key > ?"
                _ = arguments.append(contentsOf: [startAfter])
            }
            if let (condition, argument) = owner.sqlCondition {
                sql += " AND " + condition
                _ = arguments.append(contentsOf: [argument])
            }
            sql += " ORDER BY key LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(ObjectTable.record)
        }
    }

    public func buckets(namespace: String) async throws -> [BucketRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, created FROM buckets WHERE namespace = ? ORDER BY name", arguments: [namespace])
                .map { BucketRecord(namespace: namespace, name: $0["name"], created: Date(timeIntervalSince1970: $0["created"])) }
        }
    }

    public func bucket(namespace: String, name: String) async throws -> BucketRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT created FROM buckets WHERE namespace = ? AND name = ?", arguments: [namespace, name])
                .map { BucketRecord(namespace: namespace, name: name, created: Date(timeIntervalSince1970: $0["created"])) }
        }
    }

    /// Keeps the existing bucket (and its creation date) when there is one.
    public func createBucket(_ bucket: BucketRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO buckets (namespace, name, created) VALUES (?, ?, ?)",
                arguments: [bucket.namespace, bucket.name, bucket.created.timeIntervalSince1970])
        }
    }

    public func deleteBucket(namespace: String, name: String) async throws -> Bool {
        try await pool.write { db in
            let used = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM objects WHERE namespace = ? AND bucket = ?)", arguments: [namespace, name]) ?? false
            if used { return false }
            try db.execute(sql: "DELETE FROM buckets WHERE namespace = ? AND name = ?", arguments: [namespace, name])
            return true
        }
    }
}
