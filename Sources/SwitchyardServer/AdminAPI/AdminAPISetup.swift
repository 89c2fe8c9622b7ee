import AnswerCache
import Batch
import Dashboard
import Governance
import Engine
import Hummingbird
import S3Door

extension Gateway {
    /// `/api/...` exists only when an admin token is configured, and every route in it asks for the token.
    func registerAdminAPI(
        on router: Router<BasicRequestContext>, requestLog: RequestLogSetup?, governance: GovernanceSetup?, cache: ScopedAnswerCache? = nil,
        batch: BatchDesk? = nil, engine: Engine? = nil, sessions: DashboardSessions? = nil,
        files: FileBackends? = nil
    ) {
        guard let token = config.server.adminToken else { return }
        let api = router.group("api").add(
            middleware: AdminAuthMiddleware<BasicRequestContext>(token: AdminToken(token), sessions: sessions))
        AdminProviderRoutes<BasicRequestContext>(
            providers: config.providers, catalog: engine?.catalog, prices: loadPrices(), log: requestLog?.store, logger: logger
        ).register(on: api)
        if let batch { AdminBatchRoutes<BasicRequestContext>(desk: batch, logger: logger).register(on: api) }
        if let requestLog {
            AdminLogRoutes<BasicRequestContext>(store: requestLog.store, feed: requestLog.feed, logger: logger).register(on: api)
        }
        if let governance {
            let known = AdminKeyRoutes<BasicRequestContext>.KnownTargets(
                providers: Set(config.providers.map(\.name)), providerKeys: Set(config.providers.flatMap { $0.keys.map(\.name) }))
            AdminKeyRoutes<BasicRequestContext>(issuer: governance.issuer, usage: governance.usage, known: known, logger: logger)
                .register(on: api)
        }
        if let files { AdminFileRoutes<BasicRequestContext>(files: files, logger: logger).register(on: api) }
        if let cache { AdminCacheRoutes<BasicRequestContext>(cache: cache, logger: logger).register(on: api) }
    }
}
