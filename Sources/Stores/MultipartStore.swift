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
}

public enum MultipartStoreError: Error, Sendable, Hashable {
    case noSuchUpload(String)
}
