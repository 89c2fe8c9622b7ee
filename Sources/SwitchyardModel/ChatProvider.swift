/// Where and as whom one upstream call is made; chosen by the engine, used by an adapter.
public struct UpstreamTarget: Sendable {
    /// The configured provider name, for messages and logs.
    public var provider: String
    /// The model name as the upstream knows it.
    public var model: String
    public var baseURL: String
    public var apiKey: String?
    /// Non-streaming: the whole call. Streaming: until the response head arrives.
    public var timeoutSeconds: Double
    /// Streaming: the longest silence allowed between two chunks.
    public var streamIdleTimeoutSeconds: Double
    /// For AWS upstreams: signing credentials (when absent, `apiKey` is a Bedrock API key) and the region.
    public var aws: AWSAccess?
    /// Why `aws` is absent although the key signs with temporary credentials (none fetched yet, or expired):
    /// the adapter fails the call with this rather than falling back to a bearer token.
    public var awsUnavailable: GatewayError?
    public var region: String?
    /// The W3C `traceparent` of this attempt's client span, sent upstream when tracing is on.
    public var traceParent: String?

    public init(
        provider: String, model: String, baseURL: String, apiKey: String?,
        timeoutSeconds: Double, streamIdleTimeoutSeconds: Double
    ) {
        self.provider = provider
        self.model = model
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.timeoutSeconds = timeoutSeconds
        self.streamIdleTimeoutSeconds = streamIdleTimeoutSeconds
    }
}

extension UpstreamTarget {
    /// What of this target must never be shown.
    public var secrets: [String] {
        [apiKey, aws?.secretAccessKey, aws?.sessionToken].compactMap { $0 }.filter { !$0.isEmpty }
    }
}

/// An AWS access key pair, with a session token when it is temporary.
public struct AWSAccess: Sendable, Hashable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// One upstream API. `stream` returns once the upstream has accepted the request, so that errors
/// before the first byte can still be retried or reported as a plain error.
public protocol ChatProvider: Sendable {
    func complete(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatResponse
    func stream(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatEventStream
}
