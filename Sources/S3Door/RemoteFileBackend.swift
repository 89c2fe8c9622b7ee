import Foundation
import Logging
import NIOCore
import Stores
import SwitchyardModel

/// A namespace whose uploads live in a provider's file store that serves them back (OpenAI's Files API, purpose
/// `batch`). PutObject streams the body into the store (the key's last path component is the filename) and
/// indexes (bucket, key) → file id, the ETag; GetObject streams the file's content, cutting ranges out of it on
/// the gateway (OpenAI serves none);
/// DeleteObject deletes the file. Head, List and buckets answer from the gateway's index, so they show what went
/// through the gateway, not every file of the account. Replacing a key deletes the file it named, as S3 drops a
/// replaced object. Multipart parts, and objects the gateway writes here itself (batch results), stay on local
/// disk: the complete multipart object is uploaded whole, and local objects are served from disk.
struct RemoteFileBackend: LocallyIndexedBackend {
    let local: LocalFileBackend
    let api: any ProviderFileStore
    let upstream: ProviderFileCalls
    let logger: Logger

    func read(_ object: ObjectRecord, range: ClosedRange<Int64>?) async throws -> AsyncThrowingStream<ByteBuffer, any Error> {
        guard case .remote(let fileId) = object.location else { return try await local.read(object, range: range) }
        let body = try await mapped(object.bucket, object.key) {
            try await upstream.run("GetObject") { try await api.content(fileId: fileId, target: $0) }
        }
        return FileBackendRangeReader(body, range: range, expectedSize: object.size).stream
    }

    func put<Body: AsyncSequence & Sendable>(_ write: ObjectWrite, body: Body) async throws -> ObjectRecord
    where Body.Element == ByteBuffer {
        let length = (body as? any FileBackendUploadLength)?.declaredLength
        let file = try await upload(write.bucket, write.key, contentType: write.contentType, length: length, body: body)
        let record = ObjectRecord(
            namespace: namespace, bucket: write.bucket, key: write.key, etag: file.id, size: file.bytes ?? length ?? 0,
            contentType: write.contentType, metadata: write.metadata, lastModified: Date(), location: .remote(fileId: file.id),
            owner: write.owner)
        try await commit(record)
        return record
    }

    func delete(bucket: String, key: String) async throws -> ObjectRecord? {
        guard let current = try await local.head(bucket: bucket, key: key) else { return nil }
        guard case .remote(let fileId) = current.location else { return try await local.delete(bucket: bucket, key: key) }
        try await mapped(bucket, key) {
            do {
                try await upstream.run("DeleteObject") { try await api.delete(fileId: fileId, target: $0) }
            } catch let error as GatewayError where error.kind == .notFound {
                // Already gone upstream (deleted with OpenAI's own tools): only the index entry is left to remove.
            }
        }
        let removed = try await local.index.delete(namespace: namespace, bucket: bucket, key: key)
        // Replaced between the lookup and the delete: the newer file goes too, as the caller deleted the key.
        if let removed, removed.etag != current.etag { await discard(removed) }
        return current
    }

    func completeMultipartUpload(bucket: String, key: String, uploadId: String, parts: [CompletedPart]) async throws -> ObjectRecord {
        // The local store replaces what the key named but deletes only local bytes: a file it named goes here.
        let previous = try await local.head(bucket: bucket, key: key)
        let assembled = try await local.completeMultipartUpload(bucket: bucket, key: key, uploadId: uploadId, parts: parts)
        if let previous, case .remote = previous.location { await discard(previous) }
        guard case .local(let blobId) = assembled.location else { return assembled }
        let file: ProviderFile
        do {
            let bytes = try await local.blobs.read(blobId: blobId, range: nil)
            file = try await upload(bucket, key, contentType: assembled.contentType, length: assembled.size, body: bytes)
        } catch {
            // The object is not in OpenAI, so it is not kept at all: a retried upload starts clean.
            if let current = try? await local.head(bucket: bucket, key: key), current.etag == assembled.etag {
                _ = try? await local.delete(bucket: bucket, key: key)
            }
            throw error
        }
        var record = assembled
        record.etag = file.id
        record.location = .remote(fileId: file.id)
        record.size = file.bytes ?? assembled.size
        try await commit(record)
        return record
    }

    func upload<Body: AsyncSequence & Sendable>(
        _ bucket: String, _ key: String, contentType: String?, length: Int64?, body: Body
    ) async throws -> ProviderFile where Body.Element == ByteBuffer {
        try await mapped(bucket, key) {
            try await upstream.run("PutObject") {
                try await api.upload(
                    name: Self.filename(key), contentType: contentType ?? "application/octet-stream", length: length, body: body, target: $0)
            }
        }
    }

    /// Indexes a freshly uploaded file; if that fails the file goes, and on success whatever the key named before goes.
    func commit(_ record: ObjectRecord) async throws {
        let replaced: ObjectRecord?
        do {
            replaced = try await local.index.put(record)
        } catch {
            await discard(record)
            throw error
        }
        if let replaced, replaced.location != record.location { await discard(replaced) }
    }

    func discard(_ record: ObjectRecord) async {
        do {
            switch record.location {
            case .local(let blobId): try await local.blobs.delete(blobId: blobId)
            case .remote(let fileId): try await upstream.run("DeleteObject") { try await api.delete(fileId: fileId, target: $0) }
            }
        } catch {
            logger.warning(
                "could not delete a replaced file",
                metadata: ["namespace": "\(namespace)", "file": "\(record.etag)", "error": "\(upstream.redactor.redact("\(error)"))"])
        }
    }

    /// The key's last path component (OpenAI names files by it; its batch inputs must end in `.jsonl`).
    static func filename(_ key: String) -> String {
        let last = key.split(separator: "/").last.map(String.init) ?? ""
        return last.isEmpty ? "file" : last
    }

    func mapped<T>(_ bucket: String, _ key: String, _ work: () async throws -> T) async throws -> T {
        try await FileBackendErrors.mapped(provider: namespace, bucket: bucket, key: key, redactor: upstream.redactor, work)
    }
}
