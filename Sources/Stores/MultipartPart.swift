import Foundation

/// One uploaded part, kept as its own blob until the upload completes.
public struct MultipartPart: Sendable, Hashable {
    public var uploadId: String
    public var partNumber: Int
    public var blobId: String
    /// Unquoted.
    public var etag: String
    public var size: Int64
    /// Base64 CRC32 of the part's bytes.
    public var checksumCRC32: String
    public var lastModified: Date

    public init(
        uploadId: String, partNumber: Int, blobId: String, etag: String, size: Int64, checksumCRC32: String,
        lastModified: Date
    ) {
        self.uploadId = uploadId
        self.partNumber = partNumber
        self.blobId = blobId
        self.etag = etag
        self.size = size
        self.checksumCRC32 = checksumCRC32
        self.lastModified = lastModified
    }
}
