import Foundation
import Logging
import PostgresNIO
import Testing

@testable import Stores

/// The stores every protocol suite runs against: the embedded SQLite store, and PostgreSQL when the test command
/// started one (`SWITCHYARD_TEST_DATABASE_URL`, see scripts/test.sh). Each case gets a store of its own: a fresh data
/// directory, and for PostgreSQL a fresh database on the server.
enum StoreBackend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var available: [StoreBackend] {
        serverURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    var testDescription: String { rawValue }

    static var serverURL: String? {
        ProcessInfo.processInfo.environment["SWITCHYARD_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func open() async throws -> OpenedStore {
        let dir = try TemporaryDirectory()
        let logger = Logger(label: "stores-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        switch self {
        case .sqlite:
            return OpenedStore(dir: dir, store: try await GatewayStore.open(dataDir: dir.path, logger: logger))
        case .postgres:
            let url = try #require(Self.serverURL)
            let name = "st_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            let admin = try PostgresDatabase(url: url, maxConnections: 1, logger: logger)
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            admin.close()
            let slash = try #require(url.lastIndex(of: "/"))
            let instance = GatewayInstance(id: "gw-test", host: "localhost", version: "test", startedAt: Date(), heartbeatAt: Date())
            let settings = PostgresStoreSettings(
                url: String(url[..<slash]) + "/" + name, maxConnections: 4, instance: instance)
            return OpenedStore(dir: dir, store: try await GatewayStore.open(dataDir: dir.path, postgres: settings, logger: logger))
        }
    }
}

/// A store and the directory it lives in, kept together so the directory outlives the store.
final class OpenedStore: Sendable {
    let dir: TemporaryDirectory
    let store: GatewayStore

    init(dir: TemporaryDirectory, store: GatewayStore) {
        self.dir = dir
        self.store = store
    }

    deinit {
        try? store.close()
    }
}
