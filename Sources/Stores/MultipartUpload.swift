import Foundation

/// An S3 multipart upload in progress: where the object will go once completed.
public struct MultipartUpload: Sendable, Hashable {
    public var uploadId: String
    public var namespace: String
    public var bucket: String
    public var key: String
    public var contentType: String?
    public var metadata: [String: String]
    public var initiated: Date
    /// The virtual key (id) that started it, and will own the object; nil when started without a key.
    public var owner: String?

    public init(
        uploadId: String, namespace: String, bucket: String, key: String, contentType: String?,
        metadata: [String: String] = [:], initiated: Date, owner: String? = nil
    ) {
        self.uploadId = uploadId
        self.namespace = namespace
        self.bucket = bucket
        self.key = key
        self.contentType = contentType
        self.metadata = metadata
        self.initiated = initiated
        self.owner = owner
    }
}
