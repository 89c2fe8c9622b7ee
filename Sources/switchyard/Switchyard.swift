import ArgumentParser
import Engine
import Foundation
import Logging
import NIOCore
import NIOPosix
import Stores
import SwitchyardServer

@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "An LLM gateway that speaks AWS Bedrock to its callers and any provider upstream.",
        subcommands: [Serve.self, CheckConfig.self, BatchCommand.self, LogsCommand.self, KeysCommand.self, CacheCommand.self],
        defaultSubcommand: Serve.self
    )

    /// Before any task runs, Swift concurrency's global executor becomes NIO's event-loop group, the one the server
    /// and the HTTP client already do their I/O on: a request's tasks then run on the thread its socket is on,
    /// instead of hopping between the event loops and the default executor's threads several times per request.
    /// Nothing on the serving path blocks a thread (the stores run on their own queues, the disk on NIO's thread
    /// pool). `SWITCHYARD_NIO_EXECUTOR=0` keeps the default executor.
    static func main() async {
        if ProcessInfo.processInfo.environment["SWITCHYARD_NIO_EXECUTOR"] != "0" {
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await Self.main(nil)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway (the default command).")

    @Option(help: "Configuration file (YAML or JSON). Defaults to $SWITCHYARD_CONFIG; without one, providers come from the standard environment variables.")
    var config: String?

    @Option(help: "Address to listen on (default 127.0.0.1, or server.host from the file).")
    var host: String?

    @Option(help: "Port to listen on (default 8080, or server.port from the file).")
    var port: Int?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        let logger = Logger(label: "switchyard")
        let loader = ConfigLoader()
        var settings: GatewayConfig
        let path = config ?? ProcessInfo.processInfo.environment["SWITCHYARD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            settings = try path.map { try loader.load(path: $0) } ?? loader.fromEnvironment()
        } catch let error as ConfigError {
            throw ValidationError("\(path ?? "configuration"): \(error)")
        }
        if let dir = ProcessInfo.processInfo.environment["SWITCHYARD_DATA_DIR"], !dir.isEmpty { settings.server.dataDir = dir }
        if let host { settings.server.host = host }
        if let port { settings.server.port = port }
        logger.info(
            "starting",
            metadata: [
                "address": "\(settings.server.host):\(settings.server.port)",
                "providers": "\(settings.providers.map(\.name).joined(separator: ","))",
            ])
        try await Gateway(config: settings, logger: logger).run()
        logger.info("stopped")
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration file and say what is wrong with it.")

    @Argument(help: "The configuration file to check.")
    var file: String

    func run() throws {
        do {
            let config = try ConfigLoader().load(path: file)
            let store = config.server.databaseURL.map { "shared PostgreSQL store " + PostgresDatabase.describe(url: $0) } ?? "embedded SQLite store"
            print("\(file): OK (\(config.providers.count) provider(s): \(config.providers.map(\.name).joined(separator: ", ")); \(store))")
            for (key, source) in AWSCredentialSetup.describe(config, environment: ProcessInfo.processInfo.environment) {
                print("  \(key): AWS credentials from \(source)")
            }
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("\(file): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
