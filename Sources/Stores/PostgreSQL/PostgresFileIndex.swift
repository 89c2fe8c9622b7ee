import Foundation
import PostgresNIO

/// The file index in PostgreSQL. Keys are `COLLATE "C"`, so they compare and list in byte order, S3's order,
/// whatever the database's default collation; a prefix is `starts_with`, never LIKE (which treats % and _ as
/// wildcards).
public struct PostgresFileIndex: FileIndex {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    static let columns = "namespace, bucket, key, etag, size, contentType, metadata, lastModified, locationKind, locationId, checksumCRC32, owner"

    @discardableResult public func put(_ record: ObjectRecord) async throws -> ObjectRecord? {
        try StoreText.check(("etag", record.etag), ("content type", record.contentType), ("owner", record.owner))
        return try await database.transaction { connection in try await Self.upsert(connection, record, database.logger) }
    }

    public func get(namespace: String, bucket: String, key: String) async throws -> ObjectRecord? {
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("key", key))
        return try await database.query(
            "SELECT \(unescaped: Self.columns) FROM objects WHERE namespace = \(namespace) AND bucket = \(bucket) AND key = \(key)"
        ).first.map(Self.record)
    }

    public func get(namespace: String, etag: String) async throws -> ObjectRecord? {
        try await database.query(
            "SELECT \(unescaped: Self.columns) FROM objects WHERE namespace = \(namespace) AND etag = \(etag) ORDER BY lastModified DESC LIMIT 1"
        ).first.map(Self.record)
    }

    @discardableResult public func delete(namespace: String, bucket: String, key: String) async throws -> ObjectRecord? {
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("key", key))
        return try await database.query(
            "DELETE FROM objects WHERE namespace = \(namespace) AND bucket = \(bucket) AND key = \(key) RETURNING \(unescaped: Self.columns)"
        ).first.map(Self.record)
    }

    public func list(
        namespace: String, bucket: String, prefix: String, startAfter: String?, limit: Int, owner: OwnerScope
    ) async throws -> [ObjectRecord] {
        guard limit > 0 else { return [] }
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("prefix", prefix), ("start-after key", startAfter))
        var p = PostgresParameters()
        let start = p.bind(prefix)
        var sql = """
            SELECT \(Self.columns) FROM objects WHERE namespace = \(p.bind(namespace)) AND bucket = \(p.bind(bucket))
                AND key >= \(start) AND starts_with(key, \(start))
            """
        if let startAfter { sql += " AND key > \(p.bind(startAfter))" }
        sql += p.owner(owner) + " ORDER BY key LIMIT \(p.bind(Int64(limit)))"
        let query = p.query(sql)
        return try await database.query(query).map(Self.record)
    }

    public func buckets(namespace: String) async throws -> [BucketRecord] {
        try await database.query("SELECT name, created FROM buckets WHERE namespace = \(namespace) ORDER BY name").map { row in
            let (name, created) = try row.decode((String, Double).self)
            return BucketRecord(namespace: namespace, name: name, created: Date(timeIntervalSince1970: created))
        }
    }

    public func bucket(namespace: String, name: String) async throws -> BucketRecord? {
        try await database.query("SELECT created FROM buckets WHERE namespace = \(namespace) AND name = \(name)").first.map { row in
            BucketRecord(namespace: namespace, name: name, created: Date(timeIntervalSince1970: try row.decode(Double.self)))
        }
    }

    public func createBucket(_ bucket: BucketRecord) async throws {
        try await database.query(
            """
            INSERT INTO buckets (namespace, name, created) VALUES (\(bucket.namespace), \(bucket.name), \(bucket.created.timeIntervalSince1970))
            ON CONFLICT DO NOTHING
            """)
    }

    public func deleteBucket(namespace: String, name: String) async throws -> Bool {
        try await database.transaction { connection in
            // Locks the bucket row, so an object put into it meanwhile (which upserts the row first) waits or wins.
            try await connection.rows("SELECT 1 FROM buckets WHERE namespace = \(namespace) AND name = \(name) FOR UPDATE", database.logger)
            let used = try await connection.rows(
                "SELECT 1 FROM objects WHERE namespace = \(namespace) AND bucket = \(name) LIMIT 1", database.logger)
            if !used.isEmpty { return false }
            try await connection.rows("DELETE FROM buckets WHERE namespace = \(namespace) AND name = \(name)", database.logger)
            return true
        }
    }

    /// Inserts or replaces, creating the bucket when missing; the record it replaced. Also multipart completion's.
    static func upsert(_ connection: PostgresConnection, _ record: ObjectRecord, _ logger: Logger) async throws -> ObjectRecord? {
        try StoreText.check(("namespace", record.namespace), ("bucket", record.bucket), ("key", record.key))
        try await connection.rows(
            """
            INSERT INTO buckets (namespace, name, created) VALUES (\(record.namespace), \(record.bucket), \(record.lastModified.timeIntervalSince1970))
            ON CONFLICT (namespace, name) DO UPDATE SET created = buckets.created
            """, logger)
        let previous = try await connection.rows(
            """
            SELECT \(unescaped: columns) FROM objects WHERE namespace = \(record.namespace) AND bucket = \(record.bucket) AND key = \(record.key)
            FOR UPDATE
            """, logger
        ).first.map(Self.record)
        let (kind, id): (String, String) =
            switch record.location {
            case .local(let blobId): ("local", blobId)
            case .remote(let fileId): ("remote", fileId)
            }
        try await connection.rows(
            """
            INSERT INTO objects (\(unescaped: columns)) VALUES (\(record.namespace), \(record.bucket), \(record.key), \(record.etag), \(record.size),
                \(record.contentType), \(JSONText.encode(record.metadata)), \(record.lastModified.timeIntervalSince1970), \(kind), \(id),
                \(record.checksumCRC32), \(record.owner))
            ON CONFLICT (namespace, bucket, key) DO UPDATE SET etag = excluded.etag, size = excluded.size, contentType = excluded.contentType,
                metadata = excluded.metadata, lastModified = excluded.lastModified, locationKind = excluded.locationKind,
                locationId = excluded.locationId, checksumCRC32 = excluded.checksumCRC32, owner = excluded.owner
            """, logger)
        return previous
    }

    static func record(_ row: PostgresRow) throws -> ObjectRecord {
        let (namespace, bucket, key, etag, size, contentType, metadata, lastModified, kind, id, checksum, owner) = try row.decode(
            (String, String, String, String, Int64, String?, String, Double, String, String, String?, String?).self)
        return ObjectRecord(
            namespace: namespace, bucket: bucket, key: key, etag: etag, size: size, contentType: contentType, metadata: JSONText.decode(metadata),
            lastModified: Date(timeIntervalSince1970: lastModified), location: kind == "remote" ? .remote(fileId: id) : .local(blobId: id),
            checksumCRC32: checksum, owner: owner)
    }
}

public struct PostgresProviderFileOwners: ProviderFileOwners {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func record(namespace: String, bucket: String, key: String, owner: String?) async throws {
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("key", key), ("owner", owner))
        try await database.query(
            """
            INSERT INTO provider_file_owners (namespace, bucket, key, owner, created) VALUES (\(namespace), \(bucket), \(key), \(owner), \(Date().timeIntervalSince1970))
            ON CONFLICT (namespace, bucket, key) DO UPDATE SET owner = excluded.owner, created = excluded.created
            """)
    }

    public func owner(namespace: String, bucket: String, key: String) async throws -> String?? {
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("key", key))
        guard
            let row = try await database.query(
                "SELECT owner FROM provider_file_owners WHERE namespace = \(namespace) AND bucket = \(bucket) AND key = \(key)"
            ).first
        else { return nil }
        return .some(try row.decode(String?.self))
    }

    public func forget(namespace: String, bucket: String, key: String) async throws {
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("key", key))
        try await database.query("DELETE FROM provider_file_owners WHERE namespace = \(namespace) AND bucket = \(bucket) AND key = \(key)")
    }
}
