import HTTPTypes

/// Header names the S3 door reads or writes.
enum S3Headers {
    static let modelProvider = HTTPField.Name("x-model-provider")!
    static let requestId = HTTPField.Name("x-amz-request-id")!
    static let amznRequestId = HTTPField.Name("x-amzn-RequestId")!
    static let checksumCRC32 = HTTPField.Name("x-amz-checksum-crc32")!
    static let checksumMode = HTTPField.Name("x-amz-checksum-mode")!
    static let contentSHA256 = HTTPField.Name("x-amz-content-sha256")!
    static let decodedContentLength = HTTPField.Name("x-amz-decoded-content-length")!
    static let copySource = HTTPField.Name("x-amz-copy-source")!
    static let copySourceIfMatch = HTTPField.Name("x-amz-copy-source-if-match")!
    static let copySourceIfNoneMatch = HTTPField.Name("x-amz-copy-source-if-none-match")!
    static let metadataDirective = HTTPField.Name("x-amz-metadata-directive")!
    static let bucketRegion = HTTPField.Name("x-amz-bucket-region")!
    static let ifMatch = HTTPField.Name("If-Match")!
    static let ifNoneMatch = HTTPField.Name("If-None-Match")!
    static let metaPrefix = "x-amz-meta-"
}
