import NIOCore

/// A Bedrock control-plane request forwarded untouched to AWS (batch jobs with `x-model-provider: bedrock`).
public struct ControlPlaneCall: Sendable {
    public var method: String
    /// Below the control-plane root, still percent-encoded as the caller sent it: `/model-invocation-job/arn%3A…`.
    public var path: String
    /// Decoded name/value pairs.
    public var query: [(String, String)]
    public var body: ByteBuffer

    public init(method: String, path: String, query: [(String, String)], body: ByteBuffer) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }
}
