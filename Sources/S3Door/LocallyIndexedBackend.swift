import NIOCore
import Stores

/// A provider's file backend that keeps its bucket and key index (and any local bytes) in a local backend of the
/// same namespace: everything but the bytes that live at the provider is answered there.
protocol LocallyIndexedBackend: FileBackend {
    var local: LocalFileBackend { get }
}

extension LocallyIndexedBackend {
    var namespace: String { local.namespace }

    func buckets() async throws -> [BucketRecord] { try await local.buckets() }
    func bucket(_ name: String) async throws -> BucketRecord? { try await local.bucket(name) }
    func createBucket(_ name: String) async throws -> Bool { try await local.createBucket(name) }
    func deleteBucket(_ name: String) async throws { try await local.deleteBucket(name) }
    func head(bucket: String, key: String) async throws -> ObjectRecord? { try await local.head(bucket: bucket, key: key) }
    func object(fileId: String) async throws -> ObjectRecord? { try await local.object(fileId: fileId) }

    func list(bucket: String, prefix: String, startAfter: String?, limit: Int, owner: OwnerScope) async throws -> [ObjectRecord] {
        try await local.list(bucket: bucket, prefix: prefix, startAfter: startAfter, limit: limit, owner: owner)
    }

    // Parts stay on local disk until the upload completes; only completing differs per provider.
    func createMultipartUpload(_ write: ObjectWrite) async throws -> MultipartUpload {
        try await local.createMultipartUpload(write)
    }

    func uploadPart<Body: AsyncSequence & Sendable>(
        bucket: String, key: String, uploadId: String, partNumber: Int, body: Body
    ) async throws -> MultipartPart where Body.Element == ByteBuffer {
        try await local.uploadPart(bucket: bucket, key: key, uploadId: uploadId, partNumber: partNumber, body: body)
    }

    func abortMultipartUpload(bucket: String, key: String, uploadId: String) async throws {
        try await local.abortMultipartUpload(bucket: bucket, key: key, uploadId: uploadId)
    }

    func multipartUploads(
        bucket: String, prefix: String, after: MultipartUploadCursor?, limit: Int, owner: OwnerScope
    ) async throws -> [MultipartUpload] {
        try await local.multipartUploads(bucket: bucket, prefix: prefix, after: after, limit: limit, owner: owner)
    }

    func parts(bucket: String, key: String, uploadId: String) async throws -> (MultipartUpload, [MultipartPart]) {
        try await local.parts(bucket: bucket, key: key, uploadId: uploadId)
    }
}
