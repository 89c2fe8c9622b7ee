/// Where a job's input is read and its output written: the gateway's files API (S3 door storage), addressed as the
/// caller addressed it, by namespace (`gateway`, or the `x-model-provider` name) and `s3://bucket/key` URI.
public protocol BatchFiles: Sendable {
    func read(namespace: String, uri: String) async throws -> [UInt8]
    func write(namespace: String, uri: String, bytes: [UInt8], contentType: String) async throws
    /// The URIs of the objects under a folder URI (`s3://bucket/prefix/`), for inputs given as a folder.
    func list(namespace: String, prefix: String) async throws -> [String]
}
