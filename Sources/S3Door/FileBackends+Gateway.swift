import Engine
import Logging
import Stores

extension FileBackends {
    /// The backends of a running gateway: its own store for the `gateway` namespace; provider namespaces answer
    /// NotImplemented until their backends exist.
    public init(store: GatewayStore, providers: [ProviderConfig], maxObjectBytes: Int64 = S3Limits.maxObjectBytes, logger: Logger) {
        let local = LocalFileBackend(
            namespace: Self.gatewayNamespace, index: store.files, blobs: store.blobs, uploads: store.multipart,
            maxObjectBytes: maxObjectBytes, logger: logger)
        self.init(local: local, providers: providers)
    }
}
