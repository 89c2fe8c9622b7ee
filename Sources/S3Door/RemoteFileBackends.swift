import Engine
import Foundation
import Logging
import Stores
import SwitchyardModel

extension FileBackends {
    /// The backends of a running gateway: its own store for `gateway`, and a provider namespace for every provider
    /// whose adapter offers a file store (`ProviderServices.files`: OpenAI's and Gemini's Files APIs) or an S3
    /// account (`objectStore`: a Bedrock provider, when one of its keys has AWS access keys). Which providers those
    /// are is the engine's one rule (`ProviderConfig.isVendorAPI`). Provider namespaces share the index and disk of
    /// the gateway's store for what they keep locally; their calls go through the engine's pipeline.
    public init(store: GatewayStore, engine: Engine, maxObjectBytes: Int64 = S3Limits.maxObjectBytes, logger: Logger) {
        func localStore(_ namespace: String) -> LocalFileBackend {
            LocalFileBackend(
                namespace: namespace, index: store.files, blobs: store.blobs, uploads: store.multipart, maxObjectBytes: maxObjectBytes,
                logger: logger)
        }
        let providers = engine.providerConfigs
        var remote: [String: any FileBackend] = [:]
        var gatewayWrites: [String: any FileBackend] = [:]
        for provider in providers {
            let services = engine.services(provider.name)
            if let files = services.files {
                let local = localStore(provider.name)
                let calls = ProviderFileCalls(engine: engine, provider: provider)
                remote[provider.name] =
                    files.servesContent
                    ? RemoteFileBackend(local: local, api: files, upstream: calls, logger: logger)
                    : MirroredFileBackend(local: local, api: files, upstream: calls, logger: logger)
                gatewayWrites[provider.name] = local
            } else if let s3 = services.objectStore, provider.keys.contains(where: \.signsWithAWS) {
                remote[provider.name] = S3PassthroughBackend(
                    namespace: provider.name, s3: s3, upstream: ProviderFileCalls(engine: engine, provider: provider, needsAWS: true),
                    maxObjectBytes: maxObjectBytes, logger: logger)
            }
        }
        self.init(local: localStore(Self.gatewayNamespace), remote: remote, providers: providers, gatewayWrites: gatewayWrites)
        self.engine = engine
        owners = store.providerFileOwners
    }
}
