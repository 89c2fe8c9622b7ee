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

    func list(bucket: String, prefix: String, startAfter: String?, limit: Int) async throws -> [ObjectRecord] {
        try await local.list(bucket: bucket, prefix: prefix, startAfter: startAfter, limit: limit)
    }
}
