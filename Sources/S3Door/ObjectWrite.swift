/// What a client asks to store besides the bytes.
public struct ObjectWrite: Sendable, Hashable {
    public var bucket: String
    public var key: String
    public var contentType: String?
    /// `x-amz-meta-*` headers, names lower-cased without the prefix.
    public var metadata: [String: String]
    /// The virtual key (id) writing it, who will own it; nil without a key.
    public var owner: String?

    public init(bucket: String, key: String, contentType: String? = nil, metadata: [String: String] = [:], owner: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.contentType = contentType
        self.metadata = metadata
        self.owner = owner
    }
}
