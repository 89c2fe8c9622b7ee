import Foundation

/// Multipart uploads and their parts. The bytes are blobs; this only remembers which.
public protocol MultipartStore: Sendable {
    func createUpload(_ upload: MultipartUpload) async throws
    func upload(id: String) async throws -> MultipartUpload?
    /// Records a part; returns the part it replaced (same number), whose blob the caller then deletes. Fails with
    /// `MultipartStoreError.noSuchUpload` when the upload is gone (completed or aborted meanwhile).
    @discardableResult func putPart(_ part: MultipartPart) async throws -> MultipartPart?
    /// By part number.
    func parts(uploadId: String) async throws -> [MultipartPart]
    /// Writes the object and forgets the upload in one transaction. Returns the object it replaced and the parts the
    /// upload held, so the caller can delete their blobs.
    func complete(uploadId: String, object: ObjectRecord) async throws -> (replaced: ObjectRecord?, parts: [MultipartPart])
    /// Forgets the upload; returns its parts (for blob deletion), nil when there was no such upload.
    func abort(uploadId: String) async throws -> [MultipartPart]?
    /// The uploads in progress in a bucket whose key starts with `prefix` and that belong to `owner`, by key (byte
    /// order) then upload id, after `after`, at most `limit`: what ListMultipartUploads pages through.
    func uploads(
        namespace: String, bucket: String, prefix: String, after: MultipartUploadCursor?, limit: Int, owner: OwnerScope
    ) async throws -> [MultipartUpload]
    /// Uploads of every namespace initiated before `date`, oldest first, at most `limit`: what expiry removes.
    func uploads(initiatedBefore date: Date, limit: Int) async throws -> [MultipartUpload]
}

/// A position in the (key, upload id) order of uploads: past every upload of `key` when `uploadId` is nil, else past
/// that one upload of `key`.
public struct MultipartUploadCursor: Sendable, Hashable {
    public var key: String
    public var uploadId: String?

    public init(key: String, uploadId: String? = nil) {
        self.key = key
        self.uploadId = uploadId
    }
}

public enum MultipartStoreError: Error, Sendable, Hashable {
    case noSuchUpload(String)
}
