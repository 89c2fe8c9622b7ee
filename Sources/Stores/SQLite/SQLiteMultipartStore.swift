import Foundation
import GRDB

public struct SQLiteMultipartStore: MultipartStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    public func createUpload(_ upload: MultipartUpload) async throws {
        try StoreText.check(("namespace", upload.namespace), ("bucket", upload.bucket), ("key", upload.key), ("owner", upload.owner))
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO multipart_uploads (uploadId, namespace, bucket, key, contentType, metadata, initiated, owner)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    upload.uploadId, upload.namespace, upload.bucket, upload.key, upload.contentType,
                    JSONText.encode(upload.metadata), upload.initiated.timeIntervalSince1970, upload.owner,
                ])
        }
    }

    public func upload(id: String) async throws -> MultipartUpload? {
        try await pool.read { db in try Self.fetchUpload(db, id) }
    }

    @discardableResult public func putPart(_ part: MultipartPart) async throws -> MultipartPart? {
        try await pool.write { db in
            guard try Self.fetchUpload(db, part.uploadId) != nil else { throw MultipartStoreError.noSuchUpload(part.uploadId) }
            let previous = try Row.fetchOne(
                db, sql: "SELECT * FROM multipart_parts WHERE uploadId = ? AND partNumber = ?",
                arguments: [part.uploadId, part.partNumber]
            ).map(Self.part)
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO multipart_parts (uploadId, partNumber, blobId, etag, size, checksumCRC32, lastModified)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    part.uploadId, part.partNumber, part.blobId, part.etag, part.size, part.checksumCRC32,
                    part.lastModified.timeIntervalSince1970,
                ])
            return previous
        }
    }

    public func parts(uploadId: String) async throws -> [MultipartPart] {
        try await pool.read { db in try Self.fetchParts(db, uploadId) }
    }

    public func complete(uploadId: String, object: ObjectRecord) async throws -> (replaced: ObjectRecord?, parts: [MultipartPart]) {
        try await pool.write { db in
            guard try Self.fetchUpload(db, uploadId) != nil else { throw MultipartStoreError.noSuchUpload(uploadId) }
            let parts = try Self.fetchParts(db, uploadId)
            let replaced = try ObjectTable.upsert(db, object)
            try db.execute(sql: "DELETE FROM multipart_uploads WHERE uploadId = ?", arguments: [uploadId])
            return (replaced, parts)
        }
    }

    public func abort(uploadId: String) async throws -> [MultipartPart]? {
        try await pool.write { db in
            guard try Self.fetchUpload(db, uploadId) != nil else { return nil }
            let parts = try Self.fetchParts(db, uploadId)
            try db.execute(sql: "DELETE FROM multipart_uploads WHERE uploadId = ?", arguments: [uploadId])
            return parts
        }
    }

    public func uploads(
        namespace: String, bucket: String, prefix: String, after: MultipartUploadCursor?, limit: Int, owner: OwnerScope
    ) async throws -> [MultipartUpload] {
        guard limit > 0 else { return [] }
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("prefix", prefix), ("marker", after?.key))
        return try await pool.read { db in
            // The same byte-order key range as object listings (see ObjectTable.upperBound).
            var sql = "SELECT * FROM multipart_uploads WHERE namespace = ? AND bucket = ? AND key >= ?"
            var arguments: StatementArguments = [namespace, bucket, prefix]
            if let upper = ObjectTable.upperBound(ofPrefix: prefix) {
                sql += " AND key < CAST(? AS TEXT)"
                _ = arguments.append(contentsOf: [upper])
            }
            if let after {
                if let uploadId = after.uploadId {
                    sql += " AND (key > ? OR (key = ? AND uploadId > ?))"
                    _ = arguments.append(contentsOf: [after.key, after.key, uploadId])
                } else {
                    sql += " AND key > ?"
                    _ = arguments.append(contentsOf: [after.key])
                }
            }
            if let (condition, argument) = owner.sqlCondition {
                sql += " AND " + condition
                _ = arguments.append(contentsOf: [argument])
            }
            sql += " ORDER BY key, uploadId LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.upload)
        }
    }

    public func uploads(initiatedBefore date: Date, limit: Int) async throws -> [MultipartUpload] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM multipart_uploads WHERE initiated < ? ORDER BY initiated, uploadId LIMIT ?",
                arguments: [date.timeIntervalSince1970, limit]
            ).map(Self.upload)
        }
    }

    static func fetchUpload(_ db: Database, _ id: String) throws -> MultipartUpload? {
        try Row.fetchOne(db, sql: "SELECT * FROM multipart_uploads WHERE uploadId = ?", arguments: [id]).map(upload)
    }

    static func upload(_ row: Row) -> MultipartUpload {
        MultipartUpload(
            uploadId: row["uploadId"], namespace: row["namespace"], bucket: row["bucket"], key: row["key"],
            contentType: row["contentType"], metadata: JSONText.decode(row["metadata"]),
            initiated: Date(timeIntervalSince1970: row["initiated"]), owner: row["owner"])
    }

    static func fetchParts(_ db: Database, _ uploadId: String) throws -> [MultipartPart] {
        try Row.fetchAll(db, sql: "SELECT * FROM multipart_parts WHERE uploadId = ? ORDER BY partNumber", arguments: [uploadId])
            .map(part)
    }

    static func part(_ row: Row) -> MultipartPart {
        MultipartPart(
            uploadId: row["uploadId"], partNumber: row["partNumber"], blobId: row["blobId"], etag: row["etag"],
            size: row["size"], checksumCRC32: row["checksumCRC32"], lastModified: Date(timeIntervalSince1970: row["lastModified"]))
    }
}
