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

    public init(
        uploadId: String, namespace: String, bucket: String, key: String, contentType: String?,
        metadata: [String: String] = [:], initiated: Date
    ) {
        self.uploadId = uploadId
        self.namespace = namespace
        self.bucket = bucket
        self.key = key
        self.contentType = contentType
        self.metadata = metadata
        self.initiated = initiated
    }
}
