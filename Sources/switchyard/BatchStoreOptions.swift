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

    func dataDirectory() throws -> String {
        if let dataDir { return dataDir }
        if let dir = ProcessInfo.processInfo.environment["SWITCHYARD_DATA_DIR"], !dir.isEmpty { return dir }
        let loader = ConfigLoader()
        let path = config ?? ProcessInfo.processInfo.environment["SWITCHYARD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            let settings = try path.map { try loader.load(path: $0) } ?? loader.fromEnvironment()
            return settings.server.dataDir
        } catch let error as ConfigError {
            throw ValidationError("\(path ?? "configuration"): \(error)")
        }
    }

    func open() async throws -> GatewayStore {
        let dir = try dataDirectory()
        guard FileManager.default.fileExists(atPath: dir) else {
            throw ValidationError("no gateway data directory at \(dir); pass --data-dir or --config")
        }
        return try await GatewayStore.open(dataDir: dir, logger: Logger(label: "switchyard.batch", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}
