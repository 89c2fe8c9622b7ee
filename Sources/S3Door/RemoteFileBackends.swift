import Engine
import Foundation
import Logging
import Providers
import Stores

extension FileBackends {
    /// The backends of a running gateway: its own store for `gateway`, and a provider namespace for every provider
    /// with a file store the gateway speaks: OpenAI's Files API (the `openai` provider, or any OpenAI-type provider
    /// at api.openai.com: other OpenAI-compatible servers have no batch files), Gemini's Files API (every Gemini
    /// provider) and Amazon S3 (every Bedrock provider with AWS access keys). Provider namespaces share the index
    /// and disk of the gateway's store for what they keep locally.
    public init(
        store: GatewayStore, providers: [ProviderConfig], http: UpstreamHTTP, maxObjectBytes: Int64 = S3Limits.maxObjectBytes,
        logger: Logger
    ) {
        func localStore(_ namespace: String) -> LocalFileBackend {
            LocalFileBackend(
                namespace: namespace, index: store.files, blobs: store.blobs, uploads: store.multipart, maxObjectBytes: maxObjectBytes,
                logger: logger)
        }
        var remote: [String: any FileBackend] = [:]
        var gatewayWrites: [String: any FileBackend] = [:]
        for provider in providers where remote[provider.name] == nil {
            switch provider.kind {
            case .openai where Self.hasOpenAIFiles(provider):
                guard let upstream = FileBackendTarget(provider: provider) else { continue }
                let local = localStore(provider.name)
                remote[provider.name] = OpenAIFileBackend(local: local, api: OpenAIFilesAPI(http: http), upstream: upstream, logger: logger)
                gatewayWrites[provider.name] = local
            case .gemini:
                guard let upstream = FileBackendTarget(provider: provider) else { continue }
                let local = localStore(provider.name)
                remote[provider.name] = GeminiFileBackend(local: local, api: GeminiFilesAPI(http: http), upstream: upstream, logger: logger)
                gatewayWrites[provider.name] = local
            case .bedrock:
                guard let upstream = FileBackendTarget(provider: provider, needsAWS: true) else { continue }
                remote[provider.name] = S3PassthroughBackend(
                    namespace: provider.name, s3: BedrockS3Files(http: http), upstream: upstream, maxObjectBytes: maxObjectBytes,
                    logger: logger)
            case .openai, .anthropic:
                continue
            }
        }
        self.init(local: localStore(Self.gatewayNamespace), remote: remote, providers: providers, gatewayWrites: gatewayWrites)
    }

    /// OpenAI's own API has `/files`; an OpenAI-compatible server (Groq, Mistral, Ollama, vLLM…) is not assumed to.
    static func hasOpenAIFiles(_ provider: ProviderConfig) -> Bool {
        if provider.name == "openai" { return true }
        guard let host = URLComponents(string: provider.baseURL)?.host?.lowercased() else { return false }
        return host == "api.openai.com"
    }
}
