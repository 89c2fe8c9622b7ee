import Engine
import Foundation

/// How a configured provider appears in spans: its `gen_ai.provider.name` and the upstream's address.
public struct GenAIProvider: Sendable, Hashable {
    public var name: String
    public var serverAddress: String?
    public var serverPort: Int?

    /// The conventions' well-known names for the APIs the gateway speaks; an OpenAI-compatible server the
    /// conventions do not name keeps the provider's configured name.
    public init(config: ProviderConfig) {
        switch config.kind {
        case .anthropic: name = "anthropic"
        case .gemini: name = "gcp.gemini"
        case .bedrock: name = "aws.bedrock"
        case .openai: name = Self.openAICompatible[config.name] ?? config.name
        }
        // Bedrock's URL holds a `{region}` placeholder; its host is per key, so it is left out.
        if let url = URLComponents(string: config.baseURL), let host = url.host, !host.contains("{") {
            serverAddress = host
            serverPort = url.port ?? (url.scheme == "http" ? 80 : 443)
        }
    }

    public init(name: String, serverAddress: String? = nil, serverPort: Int? = nil) {
        self.name = name
        self.serverAddress = serverAddress
        self.serverPort = serverPort
    }

    static let openAICompatible = [
        "openai": "openai", "mistral": "mistral_ai", "groq": "groq", "deepseek": "deepseek", "perplexity": "perplexity",
        "xai": "x_ai",
    ]
}
