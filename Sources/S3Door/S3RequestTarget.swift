/// Bucket, key and query of a path-style S3 request, read from the raw request target: the path is split on the
/// first `/` after the bucket and the key percent-decoded exactly once, so `//`, a leading `/`, `%2F`, `+`, `..` and
/// spaces in keys survive as the client meant them. Nothing is normalised.
public struct S3RequestTarget: Sendable, Hashable {
    /// nil for the service itself (ListBuckets).
    public var bucket: String?
    /// nil for a bucket-level request.
    public var key: String?
    public var query: S3Query

    public static let maxKeyBytes = 1024

    public init(bucket: String?, key: String?, query: S3Query = S3Query()) {
        self.bucket = bucket
        self.key = key
        self.query = query
    }

    /// `target` is the request target as received (`/bedrock/files/bucket/key?query`), `mount` the path the door is
    /// served under.
    public static func parse(_ target: String, mount: String) throws(S3Error) -> S3RequestTarget {
        let pathPart: Substring
        let queryPart: Substring
        if let question = target.firstIndex(of: "?") {
            pathPart = target[..<question]
            queryPart = target[target.index(after: question)...]
        } else {
            pathPart = target[...]
            queryPart = ""
        }
        let query = try S3Query.parse(queryPart)
        guard pathPart.hasPrefix(mount) else { throw invalidURI("the path is outside \(mount)") }
        var rest = pathPart.dropFirst(mount.count)
        if rest.isEmpty || rest == "/" { return S3RequestTarget(bucket: nil, key: nil, query: query) }
        guard rest.first == "/" else { throw invalidURI("the path is outside \(mount)") }
        rest = rest.dropFirst()
        let rawBucket = rest.prefix { $0 != "/" }
        guard let bucket = S3PercentEncoding.decode(rawBucket) else { throw invalidURI("the bucket name is not valid percent-encoding") }
        try validate(bucket: bucket)
        let afterBucket = rest.dropFirst(rawBucket.count)
        guard !afterBucket.isEmpty else { return S3RequestTarget(bucket: bucket, key: nil, query: query) }
        let rawKey = afterBucket.dropFirst()
        if rawKey.isEmpty { return S3RequestTarget(bucket: bucket, key: nil, query: query) }
        guard let key = S3PercentEncoding.decode(rawKey) else { throw invalidURI("the key is not valid percent-encoded UTF-8") }
        try validate(key: key)
        return S3RequestTarget(bucket: bucket, key: key, query: query)
    }

    /// The names S3 has accepted over time (legacy us-east-1 rules: letters of both cases, digits, `.`, `-`, `_`),
    /// which is also what botocore lets through.
    public static func validate(bucket: String) throws(S3Error) {
        let ok = (1...255).contains(bucket.utf8.count)
            && bucket.utf8.allSatisfy { S3PercentEncoding.isUnreserved($0) && $0 != UInt8(ascii: "~") }
        guard ok else {
            throw S3Error("InvalidBucketName", 400, "The specified bucket is not valid.", resource: bucket, bucket: bucket)
        }
    }

    /// Over-long keys are S3's `KeyTooLongError`. A NUL is refused outright: SQLite (through GRDB) binds text up to
    /// its first NUL, so `a\0b` would silently address `a`, and XML 1.0 cannot carry it in a listing either.
    public static func validate(key: String) throws(S3Error) {
        guard key.utf8.count <= maxKeyBytes else {
            throw S3Error("KeyTooLongError", 400, "Your key is too long (the limit is \(maxKeyBytes) bytes of UTF-8).")
        }
        try refuseNUL(key, what: "Object key")
    }

    /// For every text that reaches the index as a key or a bound on keys (prefix, markers, delimiter).
    public static func refuseNUL(_ text: String, what: String) throws(S3Error) {
        guard !text.utf8.contains(0) else {
            throw S3Error.invalidArgument("\(what) must not contain the NUL character (U+0000).")
        }
    }

    /// `bucket/key` (optionally with a leading `/` and `?versionId=`), percent-decoded once.
    public static func copySource(_ header: String) throws(S3Error) -> (String, String) {
        var raw = Substring(header)
        if let question = raw.firstIndex(of: "?") { raw = raw[..<question] }
        if raw.hasPrefix("/") { raw = raw.dropFirst() }
        guard let decoded = S3PercentEncoding.decode(raw), let slash = decoded.firstIndex(of: "/") else {
            throw S3Error.invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
        }
        let bucket = String(decoded[..<slash])
        let key = String(decoded[decoded.index(after: slash)...])
        guard !key.isEmpty else { throw S3Error.invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey") }
        try validate(bucket: bucket)
        try validate(key: key)
        return (bucket, key)
    }

    static func invalidURI(_ detail: String) -> S3Error {
        S3Error("InvalidURI", 400, "Couldn't parse the specified URI: \(detail).")
    }
}
