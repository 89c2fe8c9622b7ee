import ArgumentParser
import Engine
import Foundation
import Logging
import Stores
import SwitchyardServer

/// Finds the store the way `serve` does: `--config`, else `$SWITCHYARD_CONFIG`, else the environment, with
/// `$SWITCHYARD_DATA_DIR` over the file's `server.data_dir`.
struct BatchStoreOptions: ParsableArguments {
    @Option(help: "Configuration file (YAML or JSON), as for serve. Defaults to $SWITCHYARD_CONFIG.")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "The gateway's data directory (overrides the configuration).")
    var dataDir: String?

    /// The data directory and, for a shared store, its PostgreSQL URL (`store.postgres.url` or `$SWITCHYARD_DATABASE_URL`).
    func location() throws -> (dataDir: String, databaseURL: String?) {
        let loader = ConfigLoader()
        let path = config ?? ProcessInfo.processInfo.environment["SWITCHYARD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let settings: GatewayConfig
        do {
            settings = try path.map { try loader.load(path: $0) } ?? loader.fromEnvironment()
        } catch let error as ConfigError {
            throw ValidationError("\(path ?? "configuration"): \(error)")
        }
        let environmentDir = ProcessInfo.processInfo.environment["SWITCHYARD_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        return (dataDir ?? environmentDir ?? settings.server.dataDir, settings.server.databaseURL)
    }

    func open() async throws -> GatewayStore {
        let (dir, databaseURL) = try location()
        let logger = Logger(label: "switchyard.batch", factory: { _ in SwiftLogNoOpLogHandler() })
        if let databaseURL {
            // Reading a shared store: this command is no gateway instance, so it never heartbeats.
            let instance = GatewayInstance(id: "cli", host: ProcessInfo.processInfo.hostName, version: "cli", startedAt: Date(), heartbeatAt: Date())
            let scratch = NSTemporaryDirectory() + "switchyard-cli-" + UUID().uuidString
            return try await GatewayStore.open(
                dataDir: scratch, postgres: PostgresStoreSettings(url: databaseURL, maxConnections: 2, instance: instance), logger: logger)
        }
        guard FileManager.default.fileExists(atPath: dir) else {
            throw ValidationError("no gateway data directory at \(dir); pass --data-dir or --config")
        }
        return try await GatewayStore.open(dataDir: dir, logger: logger)
    }
}
