/// Everything the gateway is told at start; loaded once and handed down.
import SwitchyardModel

/// Everything the gateway is told at start; loaded once and handed down.
public struct GatewayConfig: Sendable {
    public var server: ServerSettings
    public var providers: [ProviderConfig]
    /// Client-facing model name → `provider/model`.
    public var aliases: [String: String]
    public var tracing = TracingSettings()
    public var logging = LoggingSettings()
    public var pricing = PricingSettings()
    public var metrics = MetricsSettings()
    public var governance = GovernanceSettings()
    public var cache = CacheSettings()

    public init(server: ServerSettings = ServerSettings(), providers: [ProviderConfig] = [], aliases: [String: String] = [:]) {
        self.server = server
        self.providers = providers
        self.aliases = aliases
    }
}

public struct ServerSettings: Sendable {
    /// Where the gateway keeps its database and object bytes.
    public var dataDir: String = "./switchyard-data"
    /// How many records of a gateway-run batch job are in flight at once.
    public var batchConcurrency: Int = 4
    public var host: String
    public var port: Int
    /// Bedrock's own limit on a request body.
    public var maxBodyBytes: Int
    /// How long in-flight requests may run on after SIGTERM.
    public var shutdownGraceSeconds: Double
    /// Web origins (`scheme://host[:port]`) whose pages may call the gateway. Browsers send `Origin` on every
    /// cross-origin request and the AWS SDKs never do, so any other origin is a page driving the gateway.
    public var allowedOrigins: [String] = []
    /// Host names (optionally `name:port`) the gateway answers to besides the loopback names; a foreign `Host` is
    /// what a DNS-rebinding page sends.
    public var allowedHosts: [String] = []
    /// How long a client may take to send a request head, from accepting the connection or from the first byte of
    /// the next request on a kept-alive one.
    public var headerTimeoutSeconds: Double = 20
    /// How long a kept-alive connection may wait for its next request.
    public var idleTimeoutSeconds: Double = 60
    /// The window over which a request body must arrive at `bodyMinBytesPerSecond`; time the gateway itself is not
    /// reading does not count.
    public var bodyTimeoutSeconds: Double = 30
    public var bodyMinBytesPerSecond: Int = 1024
    /// The most client connections served at once; nil derives it from the descriptor limit.
    public var maxConnections: Int?
    /// Multipart uploads neither completed nor aborted are removed, parts and all, once this old.
    public var multipartExpiryHours: Double = 168
    /// The bearer token of the `/api/...` routes (keys, request log, live feed); without one they do not exist.
    public var adminToken: String?
    /// `store.postgres.url` (or `SWITCHYARD_DATABASE_URL`): keys, budgets, rate limits and the request log are shared
    /// with every instance on this database instead of living in the data directory's SQLite file.
    public var databaseURL: String?
    public var databaseMaxConnections: Int = 20
    /// `store.shared_dir`: object bytes under `<sharedDir>/objects/`, a directory every instance mounts.
    public var sharedDir: String?
    /// On a shared store, how long a batch job stays leased to the instance running it without a renewal (renewed
    /// every third of it): after an instance dies, another takes its jobs over this long after its last renewal.
    public var batchLeaseSeconds: Double = 30

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 25_000_000, shutdownGraceSeconds: Double = 30) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.shutdownGraceSeconds = shutdownGraceSeconds
    }
}

/// Which upstream API a provider speaks.
public enum ProviderKind: String, Sendable, CaseIterable {
    case openai
    case anthropic
    case gemini
    case bedrock
}

public struct ProviderConfig: Sendable {
    public static let defaultMaxConnections = 1024
    public var name: String
    public var kind: ProviderKind
    public var baseURL: String
    public var keys: [KeyConfig]
    public var timeoutSeconds: Double
    public var streamIdleTimeoutSeconds: Double
    public var maxRetries: Int
    public var retryBackoffMs: Int
    /// AWS providers: the region keys without their own region use.
    public var region: String
    /// Models the operator offers from this provider; they are what the model listings show.
    public var models: [String] = []
    /// Bedrock: the S3 endpoint for batch files (`{region}` filled in per key).
    public var s3URL: String = "https://s3.{region}.amazonaws.com"
    /// Bedrock: the control-plane endpoint for batch jobs (`{region}` filled in per key).
    public var controlPlaneURL: String = "https://bedrock.{region}.amazonaws.com"
    /// Connections the gateway may hold open to this provider at once (each in-flight HTTP/1.1 call holds one;
    /// HTTP/2 upstreams multiplex); a call that finds them all busy for the connect timeout is throttled.
    public var maxConnections: Int = ProviderConfig.defaultMaxConnections
    /// The longest SSE line or event an upstream stream may send; a longer one ends the stream with an error
    /// instead of being held in memory.
    public var maxStreamEventBytes: Int = 8 << 20

    public init(
        name: String, kind: ProviderKind, baseURL: String, keys: [KeyConfig] = [], timeoutSeconds: Double = 120,
        streamIdleTimeoutSeconds: Double = 120, maxRetries: Int = 2, retryBackoffMs: Int = 250, region: String = "us-east-1"
    ) {
        self.region = region
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.keys = keys
        self.timeoutSeconds = timeoutSeconds
        self.streamIdleTimeoutSeconds = streamIdleTimeoutSeconds
        self.maxRetries = maxRetries
        self.retryBackoffMs = retryBackoffMs
    }
}

public struct KeyConfig: Sendable {
    public var name: String
    /// The API key (for Bedrock: a Bedrock API key, sent as a bearer token); empty when `aws` signs instead.
    public var value: String
    public var weight: Double
    /// Models this key may serve; empty means all.
    public var models: [String]
    /// AWS access keys, for providers that sign with SigV4.
    public var aws: AWSAccess?
    /// For a Bedrock key without access keys or an API key: where its credentials come from (the default chain, a
    /// named source, a role to assume). The server turns it into `awsSupplier` at start.
    public var awsCredentials: AWSCredentialSettings?
    /// The running source of `awsCredentials`, read once per upstream call.
    public var awsSupplier: (any AWSCredentialSupplier)?
    /// The AWS region this key is for, when not the provider's.
    public var region: String?

    public init(name: String, value: String, weight: Double = 1, models: [String] = [], aws: AWSAccess? = nil, region: String? = nil) {
        self.name = name
        self.value = value
        self.weight = weight
        self.models = models
        self.aws = aws
        self.region = region
    }

    /// Everything in this key that must never be shown.
    public var secrets: [String] {
        var access = [aws]
        if case .accessKeys(let keys) = awsCredentials?.source { access.append(keys) }
        return ([value] + access.flatMap { [$0?.secretAccessKey, $0?.sessionToken] }).compactMap { $0 }.filter { !$0.isEmpty }
    }

    public func allows(_ model: String) -> Bool { models.isEmpty || models.contains(model) }

    /// Signs with SigV4 (static access keys or a credential source), so it can reach S3 and AWS's control plane.
    public var signsWithAWS: Bool { aws != nil || awsSupplier != nil || awsCredentials != nil }
}
