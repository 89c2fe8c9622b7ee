import NIOCore

/// What a finished write produced.
public struct BlobInfo: Sendable, Hashable {
    public var blobId: String
    public var size: Int64
    /// Base64 of the big-endian CRC32 of the bytes, as S3's `x-amz-checksum-crc32`.
    public var crc32: String

    public init(blobId: String, size: Int64, crc32: String) {
        self.blobId = blobId
        self.size = size
        self.crc32 = crc32
    }
}

/// Object bytes on local disk. A write is visible only once whole: temp file, fsync, rename.
public protocol BlobStore: Sendable {
    /// Streams `body` to a new blob; nothing is visible under the id until the write completes.
    func write<Body: AsyncSequence & Sendable>(_ body: Body) async throws -> BlobInfo where Body.Element == ByteBuffer
    /// The bytes of `range` (whole blob when nil), read in chunks off the event loops.
    func read(blobId: String, range: ClosedRange<Int64>?) async throws -> AsyncThrowingStream<ByteBuffer, any Error>
    func delete(blobId: String) async throws
    func size(blobId: String) async throws -> Int64?
}
