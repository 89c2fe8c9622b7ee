import Foundation
import SwitchyardModel

/// What a provider offers besides chat, embeddings and token counting (which its chat adapter says by the
/// protocols it conforms to): the APIs the server module wired for it. The doors and the batch runner reach them
/// only through these protocols.
public struct ProviderServices: Sendable {
    /// Its own file store behind the S3 door (OpenAI Files, Gemini Files).
    public var files: (any ProviderFileStore)?
    /// An S3 account the S3 door forwards to (Bedrock).
    public var objectStore: (any ObjectStoreForwarder)?
    /// Its own batch API (OpenAI Batch, Anthropic Message Batches, Gemini batch mode).
    public var batch: (any BatchProvider)?
    /// A control plane that speaks Bedrock's own batch API (Bedrock).
    public var controlPlane: (any ControlPlaneForwarder)?

    public init(
        files: (any ProviderFileStore)? = nil, objectStore: (any ObjectStoreForwarder)? = nil, batch: (any BatchProvider)? = nil,
        controlPlane: (any ControlPlaneForwarder)? = nil
    ) {
        self.files = files
        self.objectStore = objectStore
        self.batch = batch
        self.controlPlane = controlPlane
    }

    public static var none: ProviderServices { ProviderServices() }

    /// What of `offered` the provider really has. The one rule for files and batch: a provider has its vendor's
    /// own services when it is that vendor's API — a Gemini or Bedrock provider always, an OpenAI- or
    /// Anthropic-type one when it is named after the vendor or its base URL is the vendor's host. Other servers of
    /// those types (Groq, Mistral, Ollama, vLLM, compatible proxies) speak the chat API only.
    static func available(_ offered: ProviderServices, for config: ProviderConfig) -> ProviderServices {
        config.isVendorAPI ? offered : .none
    }
}

extension ProviderConfig {
    /// Whether this provider is its vendor's own API rather than another server speaking its dialect.
    public var isVendorAPI: Bool {
        let host = URLComponents(string: baseURL)?.host?.lowercased()
        return switch kind {
        case .gemini, .bedrock: true
        case .openai: name == "openai" || host == "api.openai.com"
        case .anthropic: name == "anthropic" || host == "api.anthropic.com"
        }
    }
}
