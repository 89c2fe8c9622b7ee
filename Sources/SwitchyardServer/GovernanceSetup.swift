import Engine
import Foundation
import Governance
import Logging
import Pricing
import ServiceLifecycle
import Stores

/// Virtual keys' running parts: the secret box, the cached key ring the authentication reads, the issuer behind
/// the admin API, and where usage numbers come from.
public struct GovernanceSetup: Sendable {
    public let ring: KeyRing
    public let issuer: KeyIssuer
    public let usage: any KeyUsageSource
    /// Who is calling, for the authentication middleware.
    public let authenticator: Authenticator
    /// First in the engine's chain: a key's rules, budgets and rate limits on every call it makes. A service too:
    /// it sweeps lapsed holds, and drains pending settlements after the server stopped.
    public let plugin: GovernancePlugin
    /// Writes the last-use times the ring collects, every 30 s and at shutdown.
    let flusher: KeyUseFlushService

    public init(
        ring: KeyRing, usage: any KeyUsageSource, settings: GovernanceSettings, ledger: any GovernanceLedger,
        prices: PriceTable, logger: Logger
    ) {
        self.ring = ring
        issuer = KeyIssuer(ring: ring)
        self.usage = usage
        authenticator = Authenticator(ring: ring, settings: settings)
        plugin = GovernancePlugin(keys: ring, ledger: ledger, prices: prices, logger: logger)
        flusher = KeyUseFlushService(ring: ring, interval: .seconds(30), logger: logger)
    }
}

extension Gateway {
    /// Opens the master key, and brings the keys the configuration declares into the store.
    func makeGovernance(store: GatewayStore, environment: [String: String]) async throws -> GovernanceSetup {
        let box = try SecretBox.load(environment: environment, dataDir: config.server.dataDir)
        let setup = GovernanceSetup(
            ring: KeyRing(store: store.virtualKeys, box: box), usage: StoreKeyUsage(spend: store.spend, log: store.requestLog),
            settings: config.governance, ledger: store.ledger,
            prices: loadPrices() ?? PriceTable(version: "none", prices: [:]), logger: logger)
        for key in config.governance.keys where key.secretInFile {
            logger.warning(
                "the secret of a declared virtual key is written in the configuration file; write env.NAME instead",
                metadata: ["name": "\(key.name)"])
        }
        let sync = ConfigKeySync(issuer: setup.issuer)
        let report: ConfigKeySync.Report
        do {
            report = try await sync.sync(config.governance.keys)
        } catch where store.instances != nil {
            // Instances starting together race to create the same declared key; the loser finds it made and agrees.
            report = try await sync.sync(config.governance.keys)
        }
        if report != ConfigKeySync.Report() {
            logger.info(
                "virtual keys from the configuration",
                metadata: [
                    "created": "\(report.created.count)", "updated": "\(report.updated.count)", "rotated": "\(report.rotated.count)",
                    "revoked": "\(report.revoked.count)", "unchanged": "\(report.unchanged.count)",
                ])
        }
        return setup
    }
}

/// Writes the ring's last-use times in one transaction per period, and once more after graceful shutdown, when
/// the server (stopped before it) has served its last request.
struct KeyUseFlushService: Service {
    let ring: KeyRing
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            // A flush in this cancelled task would fail (the store's writes honour cancellation): the last one
            // runs after it.
            while (try? await Task.sleep(for: interval)) != nil {
                await flush()
            }
        }
        await flush()
    }

    func flush() async {
        do {
            try await ring.flushUses()
        } catch {
            logger.warning("virtual key last-use times could not be written", metadata: ["error": "\(error)"])
        }
    }
}
