import Foundation
import GRDB

public struct SQLiteProviderFileOwners: ProviderFileOwners {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    public func record(namespace: String, bucket: String, key: String, owner: String?) async throws {
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("key", key), ("owner", owner))
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO provider_file_owners (namespace, bucket, key, owner, created) VALUES (?, ?, ?, ?, ?)",
                arguments: [namespace, bucket, key, owner, Date().timeIntervalSince1970])
        }
    }

    public func owner(namespace: String, bucket: String, key: String) async throws -> String?? {
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("key", key))
        return try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT owner FROM provider_file_owners WHERE namespace = ? AND bucket = ? AND key = ?",
                    arguments: [namespace, bucket, key])
            else { return nil }
            let owner: String? = row["owner"]
            return .some(owner)
        }
    }

    public func forget(namespace: String, bucket: String, key: String) async throws {
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("key", key))
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM provider_file_owners WHERE namespace = ? AND bucket = ? AND key = ?", arguments: [namespace, bucket, key])
        }
    }
}
