import Foundation
import PostgresNIO

public struct PostgresMultipartStore: MultipartStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    static let uploadColumns = "uploadId, namespace, bucket, key, contentType, metadata, initiated, owner"
    static let partColumns = "uploadId, partNumber, blobId, etag, size, checksumCRC32, lastModified"

    public func createUpload(_ upload: MultipartUpload) async throws {
        try StoreText.check(("namespace", upload.namespace), ("bucket", upload.bucket), ("key", upload.key), ("owner", upload.owner))
        try await database.query(
            """
            INSERT INTO multipart_uploads (\(unescaped: Self.uploadColumns)) VALUES (\(upload.uploadId), \(upload.namespace), \(upload.bucket),
                \(upload.key), \(upload.contentType), \(JSONText.encode(upload.metadata)), \(upload.initiated.timeIntervalSince1970), \(upload.owner))
            """)
    }

    public func upload(id: String) async throws -> MultipartUpload? {
        try await database.query("SELECT \(unescaped: Self.uploadColumns) FROM multipart_uploads WHERE uploadId = \(id)").first.map(Self.upload)
    }

    @discardableResult public func putPart(_ part: MultipartPart) async throws -> MultipartPart? {
        try await database.transaction { connection in
            // Locks the upload: a completion or abort racing this part waits for it, or wins and this finds no upload.
            guard try await !connection.rows("SELECT 1 FROM multipart_uploads WHERE uploadId = \(part.uploadId) FOR UPDATE", database.logger).isEmpty
            else { throw MultipartStoreError.noSuchUpload(part.uploadId) }
            let previous = try await connection.rows(
                "SELECT \(unescaped: Self.partColumns) FROM multipart_parts WHERE uploadId = \(part.uploadId) AND partNumber = \(Int64(part.partNumber))",
                database.logger
            ).first.map(Self.part)
            try await connection.rows(
                """
                INSERT INTO multipart_parts (\(unescaped: Self.partColumns)) VALUES (\(part.uploadId), \(Int64(part.partNumber)), \(part.blobId),
                    \(part.etag), \(part.size), \(part.checksumCRC32), \(part.lastModified.timeIntervalSince1970))
                ON CONFLICT (uploadId, partNumber) DO UPDATE SET blobId = excluded.blobId, etag = excluded.etag, size = excluded.size,
                    checksumCRC32 = excluded.checksumCRC32, lastModified = excluded.lastModified
                """, database.logger)
            return previous
        }
    }

    public func parts(uploadId: String) async throws -> [MultipartPart] {
        try await database.query(
            "SELECT \(unescaped: Self.partColumns) FROM multipart_parts WHERE uploadId = \(uploadId) ORDER BY partNumber"
        ).map(Self.part)
    }

    public func complete(uploadId: String, object: ObjectRecord) async throws -> (replaced: ObjectRecord?, parts: [MultipartPart]) {
        try await database.transaction { connection in
            let parts = try await Self.remove(connection, uploadId, database.logger)
            guard let parts else { throw MultipartStoreError.noSuchUpload(uploadId) }
            return (try await PostgresFileIndex.upsert(connection, object, database.logger), parts)
        }
    }

    public func abort(uploadId: String) async throws -> [MultipartPart]? {
        try await database.transaction { connection in try await Self.remove(connection, uploadId, database.logger) }
    }

    /// Deletes the upload (its parts go with it) and returns the parts; nil when it was not there.
    static func remove(_ connection: PostgresConnection, _ uploadId: String, _ logger: Logger) async throws -> [MultipartPart]? {
        guard try await !connection.rows("SELECT 1 FROM multipart_uploads WHERE uploadId = \(uploadId) FOR UPDATE", logger).isEmpty else {
            return nil
        }
        let parts = try await connection.rows(
            "SELECT \(unescaped: partColumns) FROM multipart_parts WHERE uploadId = \(uploadId) ORDER BY partNumber", logger
        ).map(part)
        try await connection.rows("DELETE FROM multipart_uploads WHERE uploadId = \(uploadId)", logger)
        return parts
    }

    public func uploads(
        namespace: String, bucket: String, prefix: String, after: MultipartUploadCursor?, limit: Int, owner: OwnerScope
    ) async throws -> [MultipartUpload] {
        guard limit > 0 else { return [] }
        try StoreText.check(("namespace", namespace), ("bucket", bucket), ("prefix", prefix), ("marker", after?.key))
        var p = PostgresParameters()
        let start = p.bind(prefix)
        var sql = """
            SELECT \(Self.uploadColumns) FROM multipart_uploads WHERE namespace = \(p.bind(namespace)) AND bucket = \(p.bind(bucket))
                AND key >= \(start) AND starts_with(key, \(start))
            """
        if let after {
            let key = p.bind(after.key)
            if let uploadId = after.uploadId {
                sql += " AND (key > \(key) OR (key = \(key) AND uploadId > \(p.bind(uploadId))))"
            } else {
                sql += " AND key > \(key)"
            }
        }
        sql += p.owner(owner) + " ORDER BY key, uploadId LIMIT \(p.bind(Int64(limit)))"
        return try await database.query(p.query(sql)).map(Self.upload)
    }

    public func uploads(initiatedBefore date: Date, limit: Int) async throws -> [MultipartUpload] {
        try await database.query(
            """
            SELECT \(unescaped: Self.uploadColumns) FROM multipart_uploads WHERE initiated < \(date.timeIntervalSince1970)
            ORDER BY initiated, uploadId LIMIT \(Int64(limit))
            """
        ).map(Self.upload)
    }

    static func upload(_ row: PostgresRow) throws -> MultipartUpload {
        let (uploadId, namespace, bucket, key, contentType, metadata, initiated, owner) = try row.decode(
            (String, String, String, String, String?, String, Double, String?).self)
        return MultipartUpload(
            uploadId: uploadId, namespace: namespace, bucket: bucket, key: key, contentType: contentType, metadata: JSONText.decode(metadata),
            initiated: Date(timeIntervalSince1970: initiated), owner: owner)
    }

    static func part(_ row: PostgresRow) throws -> MultipartPart {
        let (uploadId, number, blobId, etag, size, checksum, lastModified) = try row.decode(
            (String, Int64, String, String, Int64, String, Double).self)
        return MultipartPart(
            uploadId: uploadId, partNumber: Int(number), blobId: blobId, etag: etag, size: size, checksumCRC32: checksum,
            lastModified: Date(timeIntervalSince1970: lastModified))
    }
}
