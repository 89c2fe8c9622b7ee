import NIOCore

/// A provider's own file store (OpenAI Files, Gemini Files), as the S3 door keeps objects in it. Failures are
/// `GatewayError`s carrying the upstream status.
public protocol ProviderFileStore: Sendable {
    /// Whether the store gives an uploaded file's bytes back. When it does not (Gemini), the gateway keeps a copy
    /// of every upload to serve reads from, and an upload's length is always known.
    var servesContent: Bool { get }

    /// Uploads `body` as one file named after `name`; `length` is its size when known.
    func upload<Body: AsyncSequence & Sendable>(
        name: String, contentType: String, length: Int64?, body: Body, target: UpstreamTarget
    ) async throws -> ProviderFile where Body.Element == ByteBuffer

    /// The whole file, streamed as it arrives.
    func content(fileId: String, target: UpstreamTarget) async throws -> ByteStream

    func delete(fileId: String, target: UpstreamTarget) async throws

    /// Whether `id` (an object's ETag) names a file of this store rather than one the gateway wrote itself.
    func isFileId(_ id: String) -> Bool
}

extension ProviderFileStore {
    public func isFileId(_ id: String) -> Bool { true }
}

/// What a provider said about an uploaded file.
public struct ProviderFile: Sendable, Hashable {
    /// The provider's name for it (OpenAI `file-…`, Gemini `files/…`): the object's ETag.
    public var id: String
    /// As the provider counted them; nil when its answer did not say.
    public var bytes: Int64?

    public init(id: String, bytes: Int64?) {
        self.id = id
        self.bytes = bytes
    }
}
