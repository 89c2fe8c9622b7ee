import NIOCore

/// Objects by `s3://bucket/key` in a namespace (`gateway`, or a provider name as in `x-model-provider`): what the
/// batch runner uses to read a job's input and write its results. The S3 door's `FileService` implements it; the
/// server hands it to the runner, which therefore needs no S3 code. Failures are `FileAccessError`.
public protocol FileAccess: Sendable {
    /// The object's metadata, nil when absent. A key that names no object is also tried as a file id (ETag), since
    /// clients name uploaded files `s3://bucket/<file id>` too.
    func head(namespace: String, uri: String) async throws -> ObjectRecord?
    /// The whole object, refused past `maxBytes`.
    func read(namespace: String, uri: String, maxBytes: Int) async throws -> ByteBuffer
    /// The object in chunks, for inputs too large to hold.
    func stream(namespace: String, uri: String) async throws -> AsyncThrowingStream<ByteBuffer, any Error>
    /// Creates or replaces the object; returns it as stored (its `etag` is the file id).
    @discardableResult
    func write(namespace: String, uri: String, data: ByteBuffer, contentType: String?) async throws -> ObjectRecord
    /// Objects whose key starts with the URI's key, in key order, at most `limit`.
    func list(namespace: String, prefixURI: String, limit: Int) async throws -> [ObjectRecord]
    @discardableResult func delete(namespace: String, uri: String) async throws -> Bool
}
