import Engine
import Stores

/// Picks the backend for a request from `x-model-provider`: absent or `gateway` → the gateway's own store; a
/// provider with a registered backend → that backend; `bedrock` when no provider of that name is configured →
/// the gateway's own store, as the batch runner runs such jobs itself, so Bedrock-shaped code works on first-party
/// keys; otherwise a `NotImplemented` (or, for a name that is no provider at all, `InvalidArgument`) that says
/// what is missing.
public struct FileBackends: Sendable {
    public static let gatewayNamespace = "gateway"
    static let bedrockNamespace = "bedrock"

    let local: any FileBackend
    /// By provider name (as configured, e.g. `openai`, `groq`); provider backends are registered here.
    let remote: [String: any FileBackend]
    /// Configured provider name → the API it speaks.
    let kinds: [String: ProviderKind]
    /// By provider name: where the gateway's own writes in a provider namespace go (batch results stay on local disk
    /// in the namespace, rather than becoming provider files); the provider's backend serves them back.
    let gatewayWrites: [String: any FileBackend]
    /// Where the calls of provider namespaces are recorded (nil: no provider namespaces).
    var engine: Engine?
    /// Who owns what the gateway created in provider object stores it forwards to (nil: not checked).
    var owners: (any ProviderFileOwners)?

    public init(
        local: any FileBackend, remote: [String: any FileBackend] = [:], providers: [ProviderConfig] = [],
        gatewayWrites: [String: any FileBackend] = [:]
    ) {
        self.local = local
        self.remote = remote
        self.kinds = Dictionary(providers.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
        self.gatewayWrites = gatewayWrites
    }

    /// Every namespace a caller can name: the gateway's own store and each provider's, as the dashboard lists them.
    public var namespaces: [String] {
        [Self.gatewayNamespace] + Set(remote.keys).union(gatewayWrites.keys).sorted()
    }

    /// The backend for objects the gateway itself writes in a namespace: the local store of a provider namespace
    /// whose uploads go to the provider, else what `resolve` picks.
    public func writer(_ header: String?) throws(S3Error) -> any FileBackend {
        let name = (header ?? "").trimmingASCIISpaces.lowercased()
        if let local = gatewayWrites[name] { return local }
        return try resolve(header)
    }

    public func resolve(_ header: String?) throws(S3Error) -> any FileBackend {
        let name = (header ?? "").trimmingASCIISpaces.lowercased()
        if name.isEmpty || name == Self.gatewayNamespace { return local }
        if let backend = remote[name] { return backend }
        if name == Self.bedrockNamespace, kinds[name] == nil { return local }
        guard let kind = kinds[name] ?? ProviderKind(rawValue: name) else {
            throw S3Error.invalidArgument(
                "x-model-provider '\(name)' is not a configured provider; omit the header (or send 'gateway') to use the gateway's own file store")
        }
        throw S3Error.notImplemented(Self.missing(name, kind))
    }

    static func missing(_ name: String, _ kind: ProviderKind) -> String {
        let fallback = "; omit x-model-provider (or send 'gateway') to keep files in the gateway's own store"
        return switch kind {
        case .anthropic:
            "Anthropic has no file store behind the S3 API: Anthropic message batches take their requests inline, so use the Anthropic SDK's batches API (or upload to the gateway's own store and let a gateway batch job read it)"
        case .openai:
            "provider '\(name)' has no file store behind the S3 API: only OpenAI's own API (the 'openai' provider, or one at api.openai.com) has the OpenAI Files API the gateway uses\(fallback)"
        case .gemini:
            "files for provider '\(name)' go to the Gemini Files API, which needs '\(name)' configured as a Gemini provider with a key\(fallback)"
        case .bedrock:
            "files for provider '\(name)' go to Amazon S3 (SigV4, service s3), which needs '\(name)' configured as a Bedrock provider with AWS access keys\(fallback)"
        }
    }
}
