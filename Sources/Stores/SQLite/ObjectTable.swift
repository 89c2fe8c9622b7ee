import Foundation
import GRDB

/// Row mapping and the statements shared by the file index and multipart completion (which must write an object in
/// the same transaction that removes the upload).
enum ObjectTable {
    static let columns = "namespace, bucket, key, etag, size, contentType, metadata, lastModified, locationKind, locationId, checksumCRC32, owner"

    static func record(_ row: Row) -> ObjectRecord {
        let kind: String = row["locationKind"]
        let id: String = row["locationId"]
        return ObjectRecord(
            namespace: row["namespace"], bucket: row["bucket"], key: row["key"], etag: row["etag"], size: row["size"],
            contentType: row["contentType"], metadata: JSONText.decode(row["metadata"]),
            lastModified: Date(timeIntervalSince1970: row["lastModified"]),
            location: kind == "remote" ? .remote(fileId: id) : .local(blobId: id), checksumCRC32: row["checksumCRC32"],
            owner: row["owner"])
    }

    static func fetch(_ db: Database, namespace: String, bucket: String, key: String) throws -> ObjectRecord? {
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("key", key))
        return try Row.fetchOne(
            db, sql: "SELECT \(columns) FROM objects WHERE namespace = ? AND bucket = ? AND key = ?",
            arguments: [namespace, bucket, key]
        ).map(record)
    }

    /// Inserts or replaces; creates the bucket when missing. Returns the record it replaced.
    static func upsert(_ db: Database, _ record: ObjectRecord) throws -> ObjectRecord? {
        let previous = try fetch(db, namespace: record.namespace, bucket: record.bucket, key: record.key)
        try StoreText.check(("etag", record.etag), ("content type", record.contentType), ("owner", record.owner))
        try db.execute(
            sql: "INSERT OR IGNORE INTO buckets (namespace, name, created) VALUES (?, ?, ?)",
            arguments: [record.namespace, record.bucket, record.lastModified.timeIntervalSince1970])
        let (kind, id): (String, String) =
            switch record.location {
            case .local(let blobId): ("local", blobId)
            case .remote(let fileId): ("remote", fileId)
            }
        try db.execute(
            sql: "INSERT OR REPLACE INTO objects (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                record.namespace, record.bucket, record.key, record.etag, record.size, record.contentType,
                JSONText.encode(record.metadata), record.lastModified.timeIntervalSince1970, kind, id, record.checksumCRC32, record.owner,
            ])
        return previous
    }

    /// The smallest text greater than every text that starts with `prefix`, as raw UTF-8 bytes: the prefix with its
    /// last byte incremented. UTF-8 never holds 0xFF, so there is always a byte to increment. Not valid UTF-8 itself,
    /// hence bound as a blob and CAST to TEXT, which SQLite compares with memcmp.
    static func upperBound(ofPrefix prefix: String) -> Data? {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return Data(bytes)
            }
            bytes.removeLast()
        }
        return nil
    }
}
