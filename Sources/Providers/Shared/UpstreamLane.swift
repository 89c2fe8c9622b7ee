import AsyncHTTPClient

/// One provider's own HTTP client and the limits that go with it. Each provider gets its own connection pool
/// (sized by its `max_connections`) and read timeout, so one provider's settings neither starve nor loosen another's.
public struct UpstreamLane: Sendable {
    public var client: HTTPClient
    /// The pool size of `client`, named when every connection is busy.
    public var maxConnections: Int
    /// The longest SSE line or event a stream may carry before it is cut with an error.
    public var maxStreamEventBytes: Int

    public init(client: HTTPClient, maxConnections: Int, maxStreamEventBytes: Int = SSEParser.defaultMaxEventBytes) {
        self.client = client
        self.maxConnections = maxConnections
        self.maxStreamEventBytes = maxStreamEventBytes
    }
}
