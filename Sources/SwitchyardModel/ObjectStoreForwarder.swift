import NIOCore

/// A provider whose object store speaks S3 itself (a Bedrock provider's AWS account), so the S3 door forwards
/// requests instead of keeping the objects.
public protocol ObjectStoreForwarder: Sendable {
    /// Sends `call` with `body` of exactly `length` bytes (nil: no body) to the S3 endpoint template `endpoint`
    /// (`{region}` filled in from the target), signed as the target's key.
    func send<Body: AsyncSequence & Sendable>(
        _ call: S3ForwardCall, body: Body?, length: Int64?, endpoint: String, target: UpstreamTarget
    ) async throws -> S3ForwardAnswer where Body.Element == ByteBuffer
}

/// What to send: the S3 operation as the client asked for it, minus its own signature.
public struct S3ForwardCall: Sendable {
    public var method: String
    /// nil for ListBuckets.
    public var bucket: String?
    /// nil for bucket operations.
    public var key: String?
    /// Decoded names and values, in order; a bare flag (`uploads`) has the value "".
    public var query: [(String, String)]
    /// The client's headers worth keeping (`Content-Type`, `Range`, `If-Match`, `x-amz-meta-*`, …), without
    /// `Authorization`, `Host`, `X-Amz-Date`, `Content-Length` or hop-by-hop headers.
    public var headers: [(String, String)]

    public init(method: String, bucket: String?, key: String?, query: [(String, String)] = [], headers: [(String, String)] = []) {
        self.method = method
        self.bucket = bucket
        self.key = key
        self.query = query
        self.headers = headers
    }
}

/// S3's answer, whatever its status: the body streams as S3 sends it.
public struct S3ForwardAnswer: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: ByteStream

    public init(status: Int, headers: [(name: String, value: String)], body: ByteStream) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }
}
