public enum S3Limits {
    /// S3's own limit for one PUT (and one part), the default for the gateway's store.
    public static let maxObjectBytes: Int64 = 5 * 1024 * 1024 * 1024
    /// CompleteMultipartUpload and DeleteObjects documents.
    static let maxRequestXMLBytes: Int64 = 4 * 1024 * 1024
}
