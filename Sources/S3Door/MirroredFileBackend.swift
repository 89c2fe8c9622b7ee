import Foundation
import Logging
import NIOCore
import Stores
import SwitchyardModel

/// A namespace whose uploads go to a provider's file store that never serves a file's bytes back (Gemini's Files
/// API), so the gateway keeps a copy of every upload on its own disk: PutObject writes the body there first (which
/// also gives the size Gemini's resumable protocol announces up front), then uploads it; the ETag is the file's
/// name (`files/{id}`) and the location the local copy, which GetObject serves. DeleteObject deletes the provider's
/// file and the copy. Head, List and buckets answer from the gateway's index. Gemini deletes files by itself after
/// 48 hours; the copy stays readable until the key is deleted. Objects the gateway writes here itself (batch
/// results) have a gateway id for an ETag and no provider file.
struct MirroredFileBackend: LocallyIndexedBackend {
    let local: LocalFileBackend
    let api: any ProviderFileStore
    let upstream: ProviderFileCalls
    let logger: Logger

    func read(_ object: ObjectRecord, range: ClosedRange<Int64>?) async throws -> AsyncThrowingStream<ByteBuffer, any Error> {
        guard case .local = object.location else {
            throw S3Error.notImplemented(
                "provider '\(namespace)' does not serve the bytes of uploaded files, and the gateway kept no copy of \(object.etag)")
        }
        return try await local.read(object, range: range)
    }

    func put<Body: AsyncSequence & Sendable>(_ write: ObjectWrite, body: Body) async throws -> ObjectRecord
    where Body.Element == ByteBuffer {
        let copy = try await local.blobs.write(body)
        let record: ObjectRecord
        do {
            let name = try await upload(write.bucket, write.key, contentType: write.contentType, blobId: copy.blobId, size: copy.size)
            record = ObjectRecord(
                namespace: namespace, bucket: write.bucket, key: write.key, etag: name, size: copy.size, contentType: write.contentType,
                metadata: write.metadata, lastModified: Date(), location: .local(blobId: copy.blobId), checksumCRC32: copy.crc32,
                owner: write.owner)
        } catch {
            try? await local.blobs.delete(blobId: copy.blobId)
            throw error
        }
        try await commit(record)
        return record
    }

    func delete(bucket: String, key: String) async throws -> ObjectRecord? {
        guard let current = try await local.head(bucket: bucket, key: key) else { return nil }
        if isProviderFile(current.etag) {
            try await mapped(bucket, key) {
                do {
                    try await upstream.run("DeleteObject") { try await api.delete(fileId: current.etag, target: $0) }
                } catch let error as GatewayError where error.kind == .notFound {
                    // Expired (Gemini keeps files 48 hours) or deleted elsewhere: only the gateway's side is left.
                }
            }
        }
        guard let removed = try await local.index.delete(namespace: namespace, bucket: bucket, key: key) else { return current }
        await discard(removed, keeping: nil, unless: current.etag)
        return current
    }

    func completeMultipartUpload(bucket: String, key: String, uploadId: String, parts: [CompletedPart]) async throws -> ObjectRecord {
        // The local store replaces what the key named but knows nothing of the provider: a file it named goes here.
        let previous = try await local.head(bucket: bucket, key: key)
        let assembled = try await local.completeMultipartUpload(bucket: bucket, key: key, uploadId: uploadId, parts: parts)
        if let previous, isProviderFile(previous.etag) { await discard(previous, keeping: previous.location) }
        guard case .local(let blobId) = assembled.location else { return assembled }
        var record = assembled
        do {
            record.etag = try await upload(bucket, key, contentType: assembled.contentType, blobId: blobId, size: assembled.size)
        } catch {
            // Not in the provider's store, so not kept at all: a retried upload starts clean.
            if let current = try? await local.head(bucket: bucket, key: key), current.etag == assembled.etag {
                _ = try? await local.delete(bucket: bucket, key: key)
            }
            throw error
        }
        try await commit(record)
        return record
    }

    /// Uploads the local copy; returns the provider's name for the file.
    func upload(_ bucket: String, _ key: String, contentType: String?, blobId: String, size: Int64) async throws -> String {
        let bytes = try await local.blobs.read(blobId: blobId, range: nil)
        return try await mapped(bucket, key) {
            try await upstream.run("PutObject") {
                try await api.upload(name: key, contentType: contentType ?? "application/octet-stream", length: size, body: bytes, target: $0).id
            }
        }
    }

    /// Indexes an uploaded file with its copy; if that fails both go, and on success what the key named before goes
    /// (except the copy itself, which a completed multipart upload's record already pointed at).
    func commit(_ record: ObjectRecord) async throws {
        let replaced: ObjectRecord?
        do {
            replaced = try await local.index.put(record)
        } catch {
            await discard(record, keeping: nil)
            throw error
        }
        if let replaced { await discard(replaced, keeping: record.location, unless: record.etag) }
    }

    /// Deletes a record's provider file (unless it is `etag`) and its local bytes (unless they are at `keeping`).
    func discard(_ record: ObjectRecord, keeping: ObjectLocation?, unless etag: String? = nil) async {
        do {
            if isProviderFile(record.etag), record.etag != etag {
                try await upstream.run("DeleteObject") { try await api.delete(fileId: record.etag, target: $0) }
            }
            if case .local(let blobId) = record.location, record.location != keeping {
                try await local.blobs.delete(blobId: blobId)
            }
        } catch {
            logger.warning(
                "could not delete a replaced file",
                metadata: ["namespace": "\(namespace)", "file": "\(record.etag)", "error": "\(upstream.redactor.redact("\(error)"))"])
        }
    }

    func isProviderFile(_ etag: String) -> Bool { api.isFileId(etag) }

    func mapped<T>(_ bucket: String, _ key: String, _ work: () async throws -> T) async throws -> T {
        try await FileBackendErrors.mapped(provider: namespace, bucket: bucket, key: key, redactor: upstream.redactor, work)
    }
}
