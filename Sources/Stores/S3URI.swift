/// `s3://bucket/key`, the way Bedrock batch jobs name their input and output. The key is taken verbatim (no
/// percent-decoding), as AWS does.
public struct S3URI: Sendable, Hashable, CustomStringConvertible {
    public var bucket: String
    public var key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// nil unless the text starts with `s3://` and names a bucket.
    public init?(_ text: String) {
        guard text.hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty else { return nil }
        self.bucket = String(bucket)
        self.key = String(rest.dropFirst(bucket.count + 1))
    }

    /// `key` joined under this URI taken as a folder (a `/` is added when the URI's key lacks one).
    public func appending(_ name: String) -> S3URI {
        let folder = key.isEmpty || key.hasSuffix("/") ? key : key + "/"
        return S3URI(bucket: bucket, key: folder + name)
    }

    public var description: String { "s3://\(bucket)/\(key)" }
}
