import NIOCore

/// A request forwarded byte for byte to an upstream that speaks the caller's own dialect.
public struct RawRequest: Sendable {
    /// The dialect both sides speak, e.g. `bedrock-runtime`.
    public var dialect: String
    /// The operation's path below the model, e.g. `converse-stream` or `invoke`.
    public var operation: String
    /// The headers worth forwarding (content type, accept, dialect-specific ones); never credentials.
    public var headers: [(String, String)]
    public var body: ByteBuffer
    /// The output cap the body names (`maxTokens`, `max_tokens`, …), read by the door that knows the dialect, so
    /// a budget can reserve the call's worst case without the engine reading the body.
    public var maxOutputTokens: Int?

    public init(dialect: String, operation: String, headers: [(String, String)], body: ByteBuffer, maxOutputTokens: Int? = nil) {
        self.dialect = dialect
        self.operation = operation
        self.headers = headers
        self.body = body
        self.maxOutputTokens = maxOutputTokens
    }
}

extension RawRequest {
    /// The first `limit` bytes of the body as text (a cut inside a character is repaired), for content logging.
    public func bodyText(limit: Int) -> String {
        String(decoding: body.readableBytesView.prefix(limit), as: UTF8.self)
    }
}

/// A successful upstream answer whose body flows through as it arrives.
public struct RawResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: AsyncThrowingStream<ByteBuffer, any Error>

    public init(status: Int, headers: [(String, String)], body: AsyncThrowingStream<ByteBuffer, any Error>) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// An adapter that can forward requests of some dialect untouched. Failures before the body (non-2xx answers)
/// are thrown as `GatewayError` carrying the upstream's own status and code.
public protocol PassthroughProvider: Sendable {
    func speaks(_ dialect: String) -> Bool
    /// The adapter reads the passing answer on the side and reports its usage, stop reason and failures to `observer`.
    func passthrough(_ request: RawRequest, target: UpstreamTarget, observer: any CallObserver) async throws -> RawResponse
}
