import Foundation
import Logging
import NIOCore
import Stores

/// A namespace kept by the gateway itself: the index in the database, the bytes as blobs on local disk.
public struct LocalFileBackend: FileBackend {
    public let namespace: String
    let index: any FileIndex
    let blobs: any BlobStore
    let uploads: any MultipartStore
    let maxObjectBytes: Int64
    let logger: Logger

    /// S3's rules for CompleteMultipartUpload.
    public static let minimumPartSize: Int64 = 5 * 1024 * 1024
    public static let maxPartNumber = 10_000

    public init(
        namespace: String = "gateway", index: any FileIndex, blobs: any BlobStore, uploads: any MultipartStore,
        maxObjectBytes: Int64, logger: Logger
    ) {
        self.namespace = namespace
        self.index = index
        self.blobs = blobs
        self.uploads = uploads
        self.maxObjectBytes = maxObjectBytes
        self.logger = logger
    }

    public func buckets() async throws -> [BucketRecord] {
        try await index.buckets(namespace: namespace)
    }

    public func bucket(_ name: String) async throws -> BucketRecord? {
        try await index.bucket(namespace: namespace, name: name)
    }

    public func createBucket(_ name: String) async throws -> Bool {
        if try await index.bucket(namespace: namespace, name: name) != nil { return false }
        try await index.createBucket(BucketRecord(namespace: namespace, name: name, created: Date()))
        return true
    }

    public func deleteBucket(_ name: String) async throws {
        guard try await index.bucket(namespace: namespace, name: name) != nil else { throw S3Error.noSuchBucket(name) }
        guard try await index.deleteBucket(namespace: namespace, name: name) else {
            throw S3Error("BucketNotEmpty", 409, "The bucket you tried to delete is not empty", resource: "/\(name)", bucket: name)
        }
    }

    public func head(bucket: String, key: String) async throws -> ObjectRecord? {
        try await index.get(namespace: namespace, bucket: bucket, key: key)
    }

    public func object(fileId: String) async throws -> ObjectRecord? {
        try await index.get(namespace: namespace, etag: fileId)
    }

    public func read(_ object: ObjectRecord, range: ClosedRange<Int64>?) async throws -> AsyncThrowingStream<ByteBuffer, any Error> {
        guard case .local(let blobId) = object.location else { throw BlobStoreError.notFound(object.etag) }
        return try await blobs.read(blobId: blobId, range: range)
    }

    public func put<Body: AsyncSequence & Sendable>(_ write: ObjectWrite, body: Body) async throws -> ObjectRecord
    where Body.Element == ByteBuffer {
        let info = try await blobs.write(body)
        let record = ObjectRecord(
            namespace: namespace, bucket: write.bucket, key: write.key, etag: Self.newId(), size: info.size,
            contentType: write.contentType, metadata: write.metadata, lastModified: Date(),
            location: .local(blobId: info.blobId), checksumCRC32: info.crc32, owner: write.owner)
        try await commit(record, newBlob: info.blobId) { try await index.put(record) }
        return record
    }

    public func delete(bucket: String, key: String) async throws -> ObjectRecord? {
        guard let removed = try await index.delete(namespace: namespace, bucket: bucket, key: key) else { return nil }
        await discard(removed)
        return removed
    }

    public func list(bucket: String, prefix: String, startAfter: String?, limit: Int, owner: OwnerScope) async throws -> [ObjectRecord] {
        try await index.list(namespace: namespace, bucket: bucket, prefix: prefix, startAfter: startAfter, limit: limit, owner: owner)
    }

    public func createMultipartUpload(_ write: ObjectWrite) async throws -> MultipartUpload {
        let upload = MultipartUpload(
            uploadId: Self.newUploadId(), namespace: namespace, bucket: write.bucket, key: write.key,
            contentType: write.contentType, metadata: write.metadata, initiated: Date(), owner: write.owner)
        // As PutObject does, so that ListMultipartUploads finds the upload in the bucket it names.
        try await index.createBucket(BucketRecord(namespace: namespace, name: write.bucket, created: upload.initiated))
        try await uploads.createUpload(upload)
        return upload
    }

    public func uploadPart<Body: AsyncSequence & Sendable>(
        bucket: String, key: String, uploadId: String, partNumber: Int, body: Body
    ) async throws -> MultipartPart where Body.Element == ByteBuffer {
        _ = try await upload(uploadId, bucket: bucket, key: key)
        guard (1...Self.maxPartNumber).contains(partNumber) else {
            throw S3Error.invalidArgument("Part number must be an integer between 1 and \(Self.maxPartNumber), inclusive")
        }
        let info = try await blobs.write(body)
        let part = MultipartPart(
            uploadId: uploadId, partNumber: partNumber, blobId: info.blobId, etag: Self.newId(), size: info.size,
            checksumCRC32: info.crc32, lastModified: Date())
        let replaced: MultipartPart?
        do {
            replaced = try await uploads.putPart(part)
        } catch {
            try? await blobs.delete(blobId: info.blobId)
            if error is MultipartStoreError { throw S3Error.noSuchUpload(uploadId) }
            throw error
        }
        if let replaced { try? await blobs.delete(blobId: replaced.blobId) }
        return part
    }

    public func completeMultipartUpload(
        bucket: String, key: String, uploadId: String, parts requested: [CompletedPart]
    ) async throws -> ObjectRecord {
        let upload = try await upload(uploadId, bucket: bucket, key: key)
        let stored = Dictionary(try await uploads.parts(uploadId: uploadId).map { ($0.partNumber, $0) }, uniquingKeysWith: { a, _ in a })
        let chosen = try Self.validate(requested, against: stored, uploadId: uploadId)
        let total = chosen.reduce(Int64(0)) { $0 + $1.size }
        guard total <= maxObjectBytes else { throw S3Error.entityTooLarge(maxObjectBytes) }
        let info = try await blobs.write(BlobChain(blobs: blobs, blobIds: chosen.map(\.blobId)).stream)
        let record = ObjectRecord(
            namespace: namespace, bucket: bucket, key: key, etag: Self.newId(), size: info.size,
            contentType: upload.contentType, metadata: upload.metadata, lastModified: Date(),
            location: .local(blobId: info.blobId), checksumCRC32: info.crc32, owner: upload.owner)
        var partBlobs: [String] = []
        try await commit(record, newBlob: info.blobId) {
            do {
                let (replaced, parts) = try await uploads.complete(uploadId: uploadId, object: record)
                partBlobs = parts.map(\.blobId)
                return replaced
            } catch is MultipartStoreError {
                throw S3Error.noSuchUpload(uploadId)
            }
        }
        for blobId in partBlobs { try? await blobs.delete(blobId: blobId) }
        return record
    }

    public func abortMultipartUpload(bucket: String, key: String, uploadId: String) async throws {
        _ = try await upload(uploadId, bucket: bucket, key: key)
        guard let parts = try await uploads.abort(uploadId: uploadId) else { throw S3Error.noSuchUpload(uploadId) }
        for part in parts { try? await blobs.delete(blobId: part.blobId) }
    }

    public func multipartUploads(
        bucket: String, prefix: String, after: MultipartUploadCursor?, limit: Int, owner: OwnerScope
    ) async throws -> [MultipartUpload] {
        try await uploads.uploads(namespace: namespace, bucket: bucket, prefix: prefix, after: after, limit: limit, owner: owner)
    }

    public func parts(bucket: String, key: String, uploadId: String) async throws -> (MultipartUpload, [MultipartPart]) {
        let upload = try await upload(uploadId, bucket: bucket, key: key)
        return (upload, try await uploads.parts(uploadId: uploadId))
    }

    /// The parts to join, in order, after S3's checks: ascending numbers, each uploaded with that ETag (and checksum
    /// when one is given), every part but the last at least 5 MiB.
    static func validate(_ requested: [CompletedPart], against stored: [Int: MultipartPart], uploadId: String) throws -> [MultipartPart] {
        guard !requested.isEmpty else { throw S3Error.malformedXML("a CompleteMultipartUpload names no part") }
        var chosen: [MultipartPart] = []
        for (position, wanted) in requested.enumerated() {
            if let previous = chosen.last, wanted.partNumber <= previous.partNumber {
                throw S3Error("InvalidPartOrder", 400, "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
            }
            guard let part = stored[wanted.partNumber], part.etag == wanted.etag,
                wanted.checksumCRC32 == nil || wanted.checksumCRC32 == part.checksumCRC32
            else {
                throw S3Error(
                    "InvalidPart", 400,
                    "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
                    resource: "part \(wanted.partNumber)")
            }
            if position < requested.count - 1, part.size < minimumPartSize {
                throw S3Error("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.", resource: "part \(wanted.partNumber)")
            }
            chosen.append(part)
        }
        return chosen
    }

    func upload(_ uploadId: String, bucket: String, key: String) async throws -> MultipartUpload {
        guard let upload = try await uploads.upload(id: uploadId), upload.namespace == namespace, upload.bucket == bucket,
            upload.key.utf8.elementsEqual(key.utf8)
        else { throw S3Error.noSuchUpload(uploadId) }
        return upload
    }

    /// Indexes a freshly written blob; on failure the blob goes, on success the bytes the record replaced go.
    private func commit(_ record: ObjectRecord, newBlob: String, _ write: () async throws -> ObjectRecord?) async throws {
        let replaced: ObjectRecord?
        do {
            replaced = try await write()
        } catch {
            try? await blobs.delete(blobId: newBlob)
            throw error
        }
        if let replaced { await discard(replaced) }
    }

    private func discard(_ record: ObjectRecord) async {
        guard case .local(let blobId) = record.location else { return }
        do {
            try await blobs.delete(blobId: blobId)
        } catch {
            logger.warning("could not delete a replaced blob", metadata: ["blob": "\(blobId)", "error": "\(error)"])
        }
    }

    /// The start time in microseconds (16 hex digits) and 128 random bits: ListMultipartUploads orders the uploads of
    /// one key by upload id, which is then the order they were initiated in, as S3 lists them.
    static func newUploadId(now: Date = Date()) -> String {
        let micros = String(UInt64(max(0, now.timeIntervalSince1970 * 1_000_000)), radix: 16)
        return String(repeating: "0", count: max(0, 16 - micros.count)) + micros + newId()
    }

    /// 128 random bits as 32 hex digits: file ids (ETags), part ETags.
    static func newId() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ -> String in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
