import Engine

/// Picks the backend for a request from `x-model-provider`: absent or `gateway` → the gateway's own store; a
/// provider with a registered backend → that backend; otherwise a `NotImplemented` (or, for a name that is no
/// provider at all, `InvalidArgument`) that says what is missing.
public struct FileBackends: Sendable {
    public static let gatewayNamespace = "gateway"

    let local: any FileBackend
    /// By provider name (as configured, e.g. `openai`, `groq`); provider backends are registered here.
    let remote: [String: any FileBackend]
    /// Configured provider name → the API it speaks.
    let kinds: [String: ProviderKind]

    public init(local: any FileBackend, remote: [String: any FileBackend] = [:], providers: [ProviderConfig] = []) {
        self.local = local
        self.remote = remote
        self.kinds = Dictionary(providers.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
    }

    public func resolve(_ header: String?) throws(S3Error) -> any FileBackend {
        let name = (header ?? "").trimmingASCIISpaces.lowercased()
        if name.isEmpty || name == Self.gatewayNamespace { return local }
        if let backend = remote[name] { return backend }
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
            "files for provider '\(name)' need the OpenAI Files API backend, which this gateway does not have yet\(fallback)"
        case .gemini:
            "files for provider '\(name)' need the Gemini Files API backend, which this gateway does not have yet\(fallback)"
        case .bedrock:
            "files for provider '\(name)' need the Amazon S3 backend (SigV4, service s3), which this gateway does not have yet\(fallback)"
        }
    }
}
