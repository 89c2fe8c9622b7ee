import Dashboard
import Engine
import Foundation
import Governance
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Pricing
import RequestLog
import Stores
import SwitchyardModel
import Testing

@testable import SwitchyardServer

/// A gateway's `/api` as `Gateway` registers it (token check included) over a fresh store, with the client that
/// calls it and the parts a test looks behind.
struct AdminHarness: Sendable {
    static let token = "test-admin-token-0123456789"
    static var auth: HTTPFields { [.authorization: "Bearer \(token)"] }
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    let store: GatewayStore
    let governance: GovernanceSetup
    let requestLog: RequestLogSetup
    let dir: String
    /// The dashboard's logins, which `/api` accepts in place of the token.
    let sessions: DashboardSessions

    /// `openai` with key `k1` and `anthropic` with key `a1`: what a key's rules may name.
    static var config: GatewayConfig {
        var config = GatewayConfig(providers: [
            ProviderConfig(name: "openai", kind: .openai, baseURL: "http://127.0.0.1:9", keys: [KeyConfig(name: "k1", value: "sk-1")]),
            ProviderConfig(name: "anthropic", kind: .anthropic, baseURL: "http://127.0.0.1:9", keys: [KeyConfig(name: "a1", value: "sk-2")]),
        ])
        config.server.adminToken = token
        return config
    }

    static func with(
        config: GatewayConfig = AdminHarness.config, rows: [RequestLogRecord] = [],
        _ body: @Sendable (any TestClientProtocol, AdminHarness) async throws -> Void
    ) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("admin-api-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = config
        config.server.dataDir = dir
        let store = try await GatewayStore.open(dataDir: dir, logger: logger)
        defer { try? store.close() }
        try await store.requestLog.append(rows)
        let gateway = Gateway(config: config, logger: logger)
        let harness = AdminHarness(
            store: store, governance: try await gateway.makeGovernance(store: store, environment: [:]),
            requestLog: RequestLogSetup(
                store: store.requestLog, settings: LoggingSettings(), prices: try PriceTable.bundled(), redactor: SecretRedactor(secrets: []),
                logger: logger),
            dir: dir, sessions: DashboardSessions())
        let router = Router()
        gateway.registerAdminAPI(
            on: router, requestLog: harness.requestLog, governance: harness.governance, sessions: harness.sessions)
        DashboardRoutes<BasicRequestContext>(token: config.server.adminToken.map(AdminToken.init), sessions: harness.sessions)
            .register(on: router)
        try await Application(router: router).test(.router) { client in try await body(client, harness) }
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }
}

extension TestClientProtocol {
    /// A call with the admin token; `raw` is the body's JSON text.
    func admin(_ uri: String, _ method: HTTPRequest.Method = .get, raw: String? = nil) async throws -> TestResponse {
        try await execute(uri: uri, method: method, headers: AdminHarness.auth, body: raw.map { ByteBuffer(string: $0) })
    }
}
