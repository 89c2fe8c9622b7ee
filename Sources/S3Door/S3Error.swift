/// An S3 error as the wire carries it: code, HTTP status and message, plus what it is about.
public struct S3Error: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var status: Int
    public var message: String
    /// The bucket or key concerned, shown as `<Resource>` (and `<Key>`/`<BucketName>` where S3 has them).
    public var resource: String?
    public var key: String?
    public var bucket: String?

    public init(_ code: String, _ status: Int, _ message: String, resource: String? = nil, key: String? = nil, bucket: String? = nil) {
        self.code = code
        self.status = status
        self.message = message
        self.resource = resource
        self.key = key
        self.bucket = bucket
    }

    public var description: String { "\(code) (\(status)): \(message)" }

    public static func noSuchKey(bucket: String, key: String) -> S3Error {
        S3Error("NoSuchKey", 404, "The specified key does not exist.", resource: "/\(bucket)/\(key)", key: key)
    }

    public static func noSuchBucket(_ bucket: String) -> S3Error {
        S3Error("NoSuchBucket", 404, "The specified bucket does not exist", resource: "/\(bucket)", bucket: bucket)
    }

    public static func noSuchUpload(_ uploadId: String) -> S3Error {
        S3Error(
            "NoSuchUpload", 404,
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
            resource: uploadId)
    }

    public static func invalidArgument(_ message: String) -> S3Error { S3Error("InvalidArgument", 400, message) }

    public static func preconditionFailed(_ condition: String) -> S3Error {
        S3Error("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold", resource: condition)
    }

    public static func malformedXML(_ detail: String) -> S3Error {
        S3Error(
            "MalformedXML", 400,
            "The XML you provided was not well-formed or did not validate against our published schema (\(detail)).")
    }

    public static func badDigest(_ algorithm: String) -> S3Error {
        S3Error("BadDigest", 400, "The \(algorithm) you specified did not match the calculated checksum.")
    }

    public static func entityTooLarge(_ limit: Int64) -> S3Error {
        S3Error("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size of \(limit) bytes.")
    }

    public static func notImplemented(_ message: String) -> S3Error { S3Error("NotImplemented", 501, message) }

    public static func internalError() -> S3Error {
        S3Error("InternalError", 500, "We encountered an internal error. Please try again.")
    }
}
