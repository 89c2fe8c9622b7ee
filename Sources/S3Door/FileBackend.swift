import NIOCore
import Stores

/// Where the objects of one namespace live, addressed by bucket and key. The S3 door checks preconditions, parses
/// and writes the wire format; a backend only stores. `LocalFileBackend` keeps bytes on the gateway's disk; provider
/// backends (OpenAI Files, Gemini Files, real S3 with SigV4) implement the same calls against their APIs, keeping
/// the (bucket, key) → provider file id mapping in the `FileIndex` (`ObjectLocation.remote`).
///
/// Failures the client should see are `S3Error`s (`NoSuchBucket`, `BucketNotEmpty`, `NoSuchUpload`, `InvalidPart`…);
/// anything else becomes `InternalError`.
public protocol FileBackend: Sendable {
    /// The namespace served (`gateway` or a provider name), for records and messages.
    var namespace: String { get }

    func buckets() async throws -> [BucketRecord]
    func bucket(_ name: String) async throws -> BucketRecord?
    /// False when it already existed.
    func createBucket(_ name: String) async throws -> Bool
    /// Throws `NoSuchBucket` or `BucketNotEmpty`.
    func deleteBucket(_ name: String) async throws

    func head(bucket: String, key: String) async throws -> ObjectRecord?
    /// The object's file id (ETag) → the object, for `s3://bucket/<file id>` URIs.
    func object(fileId: String) async throws -> ObjectRecord?
    /// The bytes of an object `head` returned; `range` already clipped to the object. Throws
    /// `BlobStoreError.notFound` when the object was replaced or deleted meanwhile.
    func read(_ object: ObjectRecord, range: ClosedRange<Int64>?) async throws -> AsyncThrowingStream<ByteBuffer, any Error>
    /// Stores the body (which may throw, e.g. on a bad checksum: then nothing is stored) and returns the new record.
    func put<Body: AsyncSequence & Sendable>(_ write: ObjectWrite, body: Body) async throws -> ObjectRecord
    where Body.Element == ByteBuffer
    /// The removed object, nil when there was none.
    func delete(bucket: String, key: String) async throws -> ObjectRecord?
    /// Byte order, after `startAfter`, starting with `prefix`, of `owner`, at most `limit` (the door checks the bucket
    /// first).
    func list(bucket: String, prefix: String, startAfter: String?, limit: Int, owner: OwnerScope) async throws -> [ObjectRecord]

    func createMultipartUpload(_ write: ObjectWrite) async throws -> MultipartUpload
    func uploadPart<Body: AsyncSequence & Sendable>(
        bucket: String, key: String, uploadId: String, partNumber: Int, body: Body
    ) async throws -> MultipartPart where Body.Element == ByteBuffer
    func completeMultipartUpload(bucket: String, key: String, uploadId: String, parts: [CompletedPart]) async throws -> ObjectRecord
    func abortMultipartUpload(bucket: String, key: String, uploadId: String) async throws
    /// Uploads in progress of `owner`, by key then upload id (the door checks the bucket first): ListMultipartUploads.
    func multipartUploads(
        bucket: String, prefix: String, after: MultipartUploadCursor?, limit: Int, owner: OwnerScope
    ) async throws -> [MultipartUpload]
    /// The upload, which must be of this bucket and key (else `NoSuchUpload`), and its parts by number: ListParts.
    func parts(bucket: String, key: String, uploadId: String) async throws -> (MultipartUpload, [MultipartPart])
}
