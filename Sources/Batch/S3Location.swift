/// An `s3://bucket/key` URI taken apart.
public struct S3Location: Sendable, Hashable {
    public var bucket: String
    public var key: String

    public init?(_ uri: String) {
        guard uri.hasPrefix("s3://") else { return nil }
        let rest = uri.dropFirst(5)
        guard let slash = rest.firstIndex(of: "/") else {
            guard !rest.isEmpty else { return nil }
            bucket = String(rest)
            key = ""
            return
        }
        bucket = String(rest[..<slash])
        key = String(rest[rest.index(after: slash)...])
        if bucket.isEmpty { return nil }
    }

    public var uri: String { "s3://\(bucket)/\(key)" }

    /// A folder URI names every object below it.
    public var isFolder: Bool { key.isEmpty || key.hasSuffix("/") }

    /// The last path component: what Bedrock names an output file after.
    public var fileName: String {
        key.split(separator: "/").last.map(String.init) ?? key
    }

    /// `<outputUri>/<jobId>/<name>`, without doubling the slash after a folder URI.
    public static func output(_ outputURI: String, jobId: String, name: String) -> String {
        var base = outputURI
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/\(jobId)/\(name)"
    }
}
