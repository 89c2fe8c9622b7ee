import Foundation
import NIOCore

/// The OpenAI door's Files API over the gateway's own store, where batches read their input and write their
/// output. A file is the uploading virtual key's; another key's lookups find nothing (`.notFound`).
public protocol DoorFiles: Sendable {
    func create(_ bytes: ByteBuffer, filename: String, purpose: String) async throws -> DoorFile
    func file(id: String) async throws -> DoorFile
    func content(id: String) async throws -> (file: DoorFile, bytes: AsyncThrowingStream<ByteBuffer, any Error>)
    /// The caller's files, oldest first by the store's own clock (finer than `created_at`'s seconds).
    func files() async throws -> [DoorFile]
    func delete(id: String) async throws
}

public struct DoorFile: Sendable, Hashable {
    /// `file-…`.
    public var id: String
    public var bytes: Int64
    public var createdAt: Date
    public var filename: String
    public var purpose: String
    /// Where the bytes are (`s3://bucket/key`), for a batch created over the file.
    public var uri: String

    public init(id: String, bytes: Int64, createdAt: Date, filename: String, purpose: String, uri: String) {
        self.id = id
        self.bytes = bytes
        self.createdAt = createdAt
        self.filename = filename
        self.purpose = purpose
        self.uri = uri
    }
}
