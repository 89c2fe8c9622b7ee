import Foundation

/// Where an object's bytes are.
public enum ObjectLocation: Sendable, Hashable, Codable {
    /// On the gateway's disk, under the data directory, by blob id.
    case local(blobId: String)
    /// In a provider's file store (OpenAI or Gemini Files API), by that provider's file id.
    case remote(fileId: String)
}

/// One object the S3 door knows by (namespace, bucket, key). The namespace is where the caller routed it:
/// `gateway` (no `x-model-provider`) or a provider name.
public struct ObjectRecord: Sendable, Hashable, Codable {
    public var namespace: String
    public var bucket: String
    public var key: String
    /// What the caller sees as the ETag (unquoted): the provider's file id, or the gateway's own id.
    public var etag: String
    public var size: Int64
    public var contentType: String?
    public var metadata: [String: String]
    public var lastModified: Date
    public var location: ObjectLocation
    /// Base64 CRC32 of the bytes, when known.
    public var checksumCRC32: String?
    /// The virtual key (id) that wrote it; nil when it was written without a key.
    public var owner: String?

    public init(
        namespace: String, bucket: String, key: String, etag: String, size: Int64, contentType: String?,
        metadata: [String: String] = [:], lastModified: Date, location: ObjectLocation, checksumCRC32: String? = nil,
        owner: String? = nil
    ) {
        self.namespace = namespace
        self.bucket = bucket
        self.key = key
        self.etag = etag
        self.size = size
        self.contentType = contentType
        self.metadata = metadata
        self.lastModified = lastModified
        self.location = location
        self.checksumCRC32 = checksumCRC32
        self.owner = owner
    }
}

public struct BucketRecord: Sendable, Hashable, Codable {
    public var namespace: String
    public var name: String
    public var created: Date

    public init(namespace: String, name: String, created: Date) {
        self.namespace = namespace
        self.name = name
        self.created = created
    }
}

/// The (namespace, bucket, key) → object index.
public protocol FileIndex: Sendable {
    /// Inserts or replaces the object at its (namespace, bucket, key); returns the one it replaced. Creates the bucket
    /// if it does not exist yet.
    @discardableResult func put(_ record: ObjectRecord) async throws -> ObjectRecord?
    func get(namespace: String, bucket: String, key: String) async throws -> ObjectRecord?
    func get(namespace: String, etag: String) async throws -> ObjectRecord?
    @discardableResult func delete(namespace: String, bucket: String, key: String) async throws -> ObjectRecord?
    /// Keys in byte order, those after `startAfter` (exclusive) that begin with `prefix` and belong to `owner`, at
    /// most `limit`.
    func list(namespace: String, bucket: String, prefix: String, startAfter: String?, limit: Int, owner: OwnerScope) async throws
        -> [ObjectRecord]
    func buckets(namespace: String) async throws -> [BucketRecord]
    func bucket(namespace: String, name: String) async throws -> BucketRecord?
    func createBucket(_ bucket: BucketRecord) async throws
    /// False when the bucket still holds objects.
    func deleteBucket(namespace: String, name: String) async throws -> Bool
}
