import Engine
import SwitchyardModel

/// Who runs a job, from the `x-model-provider` header.
public enum BatchRunnerKind: Sendable, Hashable {
    /// The gateway runs the records itself through the engine; `provider` (when set) serves every record.
    case gateway(provider: String?)
    /// The provider's own batch API runs it.
    case native(provider: String, kind: ProviderKind)
    /// AWS's own control plane keeps the job; calls are forwarded.
    case forwarded(provider: String)

    /// `openai`, `anthropic`, `gemini` and `bedrock` have batch APIs; any other provider (Mistral, Groq, Ollama, …,
    /// whatever its type) gets its jobs run by the gateway. A `bedrock` header without a configured Bedrock provider
    /// is run by the gateway too, so Bedrock-shaped code works on first-party keys.
    public static func decide(header: String?, providers: [ProviderConfig]) throws -> BatchRunnerKind {
        guard let name = header, name != "gateway" else { return .gateway(provider: nil) }
        guard let provider = providers.first(where: { $0.name == name }) else {
            if name == "bedrock" { return .gateway(provider: nil) }
            let known = providers.map(\.name).sorted().joined(separator: ", ")
            throw GatewayError(.validation, "x-model-provider '\(name)' is not a configured provider (configured: \(known))")
        }
        if provider.kind == .bedrock { return .forwarded(provider: name) }
        if let kind = nativeKind(provider) { return .native(provider: name, kind: kind) }
        return .gateway(provider: name)
    }

    /// The batch API a provider has, by the engine's one rule for vendor services (`ProviderConfig.isVendorAPI`,
    /// which decides the files namespaces too): Gemini's always; OpenAI's and Anthropic's for those vendors' own
    /// APIs, since other servers of those types (Groq, Ollama, compatible proxies) have none.
    public static func nativeKind(_ provider: ProviderConfig) -> ProviderKind? {
        guard provider.isVendorAPI else { return nil }
        return switch provider.kind {
        case .gemini, .openai, .anthropic: provider.kind
        case .bedrock: nil
        }
    }
}
