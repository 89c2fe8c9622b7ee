import Engine
import Foundation
import Logging
import Providers
import ServiceLifecycle
import SwitchyardModel

/// Gives every AWS key that has credential settings (and no keys of its own) its running supplier, fetches the
/// first credentials before the gateway serves, and refreshes them in the background until shutdown.
public struct AWSCredentialSetup: Sendable {
    /// The configuration with each such key's `awsSupplier` set.
    let config: GatewayConfig
    let suppliers: [RefreshingCredentialSupplier]

    init(config: GatewayConfig, environment: [String: String], logger: Logger) {
        var config = config
        var suppliers: [RefreshingCredentialSupplier] = []
        let credentialEnvironment = CredentialEnvironment(variables: environment)
        for p in config.providers.indices {
            let provider = config.providers[p]
            for k in provider.keys.indices {
                guard let settings = provider.keys[k].awsCredentials, provider.keys[k].aws == nil else { continue }
                let key = provider.keys[k]
                let chain = CredentialChain(environment: credentialEnvironment, region: key.region ?? provider.region)
                let name = "\(provider.name)/\(key.name)"
                let supplier: RefreshingCredentialSupplier
                do {
                    supplier = RefreshingCredentialSupplier(
                        source: try chain.source(for: settings), unresolved: "the default chain found no credentials", keyName: name,
                        refreshBeforeExpirySeconds: settings.refreshBeforeExpirySeconds, logger: logger)
                } catch {
                    // A broken profile fails this key's requests with the reason, never the gateway's start.
                    logger.error("AWS credentials cannot be resolved", metadata: ["key": "\(name)", "error": "\(error)"])
                    supplier = RefreshingCredentialSupplier(
                        source: nil, unresolved: "\(error)", keyName: name, refreshBeforeExpirySeconds: settings.refreshBeforeExpirySeconds,
                        logger: logger)
                }
                config.providers[p].keys[k].awsSupplier = supplier
                suppliers.append(supplier)
                logger.info("AWS credentials", metadata: ["key": "\(name)", "source": "\(supplier.sourceDescription)"])
            }
        }
        self.config = config
        self.suppliers = suppliers
    }

    /// The first fetch of every key, at once; a key whose source is slow or down is left to the refresh loop
    /// (its requests fail with the reason until it has credentials).
    func warmUp(timeoutSeconds: Double = 15) async {
        guard !suppliers.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskGroup(of: Void.self) { fetches in
                    for supplier in suppliers { fetches.addTask { await supplier.refresh() } }
                }
            }
            group.addTask { try? await Task.sleep(for: .milliseconds(Int64(timeoutSeconds * 1000))) }
            await group.next()
            group.cancelAll()
        }
    }

    /// `provider/key` and the source that would serve it, for `check-config`: decided from the environment and the
    /// shared files, with no network call and no secret.
    public static func describe(_ config: GatewayConfig, environment: [String: String]) -> [(key: String, source: String)] {
        let credentialEnvironment = CredentialEnvironment(variables: environment)
        return config.providers.flatMap { provider in
            provider.keys.compactMap { key in
                guard let settings = key.awsCredentials, key.aws == nil else { return nil }
                let chain = CredentialChain(environment: credentialEnvironment, region: key.region ?? provider.region)
                return ("\(provider.name)/\(key.name)", chain.describe(settings))
            }
        }
    }

    var service: AWSCredentialRefreshService { AWSCredentialRefreshService(suppliers: suppliers) }
}

/// The background refresh of every supplier, until graceful shutdown.
struct AWSCredentialRefreshService: Service {
    let suppliers: [RefreshingCredentialSupplier]

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for supplier in suppliers { group.addTask { await supplier.runRefreshLoop() } }
            }
            // Long-term keys need no loop, but a service may not end before the gateway does.
            try? await gracefulShutdown()
        }
    }
}
