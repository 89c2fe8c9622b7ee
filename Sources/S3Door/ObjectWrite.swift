/// What a client asks to store besides the bytes.
public struct ObjectWrite: Sendable, Hashable {
    public var bucket: String
    public var key: String
    public var contentType: String?
    /// `x-amz-meta-*` headers, names lower-cased without the prefix.
    public var metadata: [String: String]

    public init(bucket: String, key: String, contentType: String? = nil, metadata: [String: String] = [:]) {
        self.bucket = bucket
        self.key = key
        self.contentType = contentType
        self.metadata = metadata
    }
}
