import AnswerCache
import AnthropicDoor
import AsyncHTTPClient
import Batch
import BedrockDoor
import CallTracing
import Dashboard
import Engine
import Foundation
import Governance
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import OpenAIDoor
import Pricing
import Providers
import RequestLog
import S3Door
import Stores
import SwitchyardModel
import ServiceLifecycle

/// Wires configuration, the shared upstream client, the engine and the doors into one running server.
public struct Gateway: Sendable {
    public let config: GatewayConfig
    let logger: Logger

    public init(config: GatewayConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests and streams finish (bounded) and returns.
    public func run() async throws {
        let credentials = AWSCredentialSetup(config: config, environment: ProcessInfo.processInfo.environment, logger: logger)
        try await Gateway(config: credentials.config, logger: logger).serve(credentials: credentials)
    }

    /// `run` with the AWS credential suppliers in place (`config` already holds them).
    func serve(credentials: AWSCredentialSetup) async throws {
        if let token = config.server.adminToken, token.count < AdminToken.minimumLength {
            throw ConfigError("the admin token (SWITCHYARD_ADMIN_TOKEN) must have at least \(AdminToken.minimumLength) characters")
        }
        FileDescriptorLimit.raiseToHardLimit()
        // Before the first request: a warm key never makes a request wait for STS or a metadata endpoint.
        await credentials.warmUp()
        let http = Self.makeUpstreamHTTP(config.providers)
        do {
            let tracing = CallTracing.make(
                settings: config.tracing, environment: ProcessInfo.processInfo.environment,
                providers: Dictionary(config.providers.map { ($0.name, GenAIProvider(config: $0)) }, uniquingKeysWith: { first, _ in first }),
                logger: logger)
            let metrics = config.metrics.enabled ? PrometheusExport() : nil
            metrics?.bootstrapProcessMetrics()
            let shared = try sharedStoreSettings()
            let store = try await GatewayStore.open(dataDir: config.server.dataDir, postgres: shared, logger: logger)
            defer { try? store.close() }
            let requestLog = try makeRequestLog(store: store.requestLog)
            let governance = try await makeGovernance(store: store, environment: ProcessInfo.processInfo.environment)
            let cache = try await makeAnswerCache(store: store.cacheEntries, ring: governance.ring)
            let engine = makeEngine(
                http: http,
                plugins: [governance.plugin] + (tracing.map { [$0.plugin] } ?? []) + (requestLog.map { [$0.plugin] } ?? [])
                    + (metrics.map { [$0.plugin(config: config, prices: loadPrices())] } ?? []),
                answerCache: cache)
            if let metrics, let requestLog {
                let writer = requestLog.writer
                metrics.exportRequestLogQueue { let s = writer.stats; return .init(queued: s.queued, dropped: s.dropped) }
            }
            let files = FileBackends(store: store, engine: engine, logger: logger)
            let batch = BatchSystem(
                config: config, engine: engine, store: store.batchJobs,
                files: FileAccessBatchFiles(access: FileService(backends: files)), codec: BatchJobRecordCodec(),
                callers: KeyRingCallers(ring: governance.ring), logger: logger, leaseHolder: store.instances?.this.id ?? "local")
            let app = makeApplication(
                engine: engine, files: files, batch: batch.desk, requestLog: requestLog, governance: governance, metrics: metrics, cache: cache,
                instances: store.instances, dashboardSessions: store.dashboardSessions)
            let expiry = MultipartExpiryService(
                expiry: MultipartExpiry(
                    uploads: store.multipart, blobs: store.blobs, maxAge: config.server.multipartExpiryHours * 3600, logger: logger),
                logger: logger)
            // Services stop in reverse order: the live feed first (its streams end, so the server can drain), the
            // log writer and the key-use flusher last, after the server, so they write what the last requests left.
            var services: [any Service] = [governance.plugin, governance.flusher, credentials.service, app, batch.runner, expiry]
            if let cache { services.append(CacheSweepService(cache: cache, logger: logger)) }
            if let registry = store.instances {
                services.append(InstanceHeartbeat(registry: registry, interval: .seconds(2), logger: logger))
                services.append(KeyGenerationWatch(ring: governance.ring, interval: .milliseconds(250), logger: logger))
                if let cache { services.append(CacheFollowService(cache: cache, logger: logger)) }
                if let requestLog { services.append(RequestLogFollow(store: store.requestLog, feed: requestLog.feed, logger: logger)) }
            }
            if let requestLog {
                services.insert(requestLog.writer, at: 0)
                services.append(requestLog.feed)
            }
            var configuration = ServiceGroupConfiguration(
                // The group stops its services last to first: the span exporter goes last, after the requests it traces.
                services: (tracing.map { [$0.service] } ?? []) + services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(config.server.shutdownGraceSeconds * 1000))
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            await Self.shutdown(http)
            throw error
        }
        await Self.shutdown(http)
    }

    /// The shared store when one is configured. Every instance must open the others' key secrets, so the master key
    /// has to come from the environment, the same on all of them: a key file per data directory would differ.
    func sharedStoreSettings() throws -> PostgresStoreSettings? {
        guard let url = config.server.databaseURL else { return nil }
        guard let master = ProcessInfo.processInfo.environment["SWITCHYARD_MASTER_KEY"], !master.isEmpty else {
            throw ConfigError(
                "a shared store (store.postgres / SWITCHYARD_DATABASE_URL) needs SWITCHYARD_MASTER_KEY, the same on every instance")
        }
        if config.server.sharedDir == nil {
            logger.warning("store.shared_dir is not set: files uploaded through this instance are readable only through it")
        }
        return PostgresStoreSettings(
            url: url, maxConnections: config.server.databaseMaxConnections, instance: SharedStore.instance(), sharedDir: config.server.sharedDir)
    }

    /// One client per provider, so each has its own pool size and read timeout; the shared one serves calls made
    /// for no configured provider.
    static func makeUpstreamHTTP(_ providers: [ProviderConfig]) -> UpstreamHTTP {
        var lanes: [String: UpstreamLane] = [:]
        let loops = Array(NIOSingletons.posixEventLoopGroup.makeIterator())
        for provider in providers {
            let shares = poolShares(maxConnections: provider.maxConnections, loops: loops.count)
            let timeout = readTimeout(provider)
            let clients =
                shares.count == 1
                ? [makeHTTPClient(readTimeoutSeconds: timeout, maxConnections: provider.maxConnections)]
                : zip(loops, shares).map { makeHTTPClient(readTimeoutSeconds: timeout, maxConnections: $1, on: $0) }
            lanes[provider.name] = UpstreamLane(clients: clients, shares: shares, maxStreamEventBytes: provider.maxStreamEventBytes)
        }
        let shared = makeHTTPClient(
            readTimeoutSeconds: providers.map(readTimeout).max() ?? 121, maxConnections: ProviderConfig.defaultMaxConnections)
        return UpstreamHTTP(client: shared, lanes: lanes, clientMaxConnections: ProviderConfig.defaultMaxConnections)
    }

    /// The fewest connections a loop's own pool is given (`UpstreamLane.lease` says why each loop has one): below
    /// that, one pool for all loops.
    static let perLoopPoolMinimum = 64

    /// Each loop's pool size, adding up to `maxConnections`; one share when a split would leave a loop fewer than
    /// `perLoopPoolMinimum`.
    static func poolShares(maxConnections: Int, loops: Int) -> [Int] {
        guard loops > 1, maxConnections / loops >= perLoopPoolMinimum else { return [maxConnections] }
        return (0..<loops).map { maxConnections / loops + ($0 < maxConnections % loops ? 1 : 0) }
    }

    static func shutdown(_ http: UpstreamHTTP) async {
        for lane in http.lanes.values {
            for client in lane.clients { try? await client.shutdown() }
        }
        try? await http.client.shutdown()
    }

    /// The longest silence this provider allows: the net under the non-streaming deadline (checked as body chunks
    /// arrive, so it needs something to arrive) and the stream idle watchdog (which is shorter or equal).
    static func readTimeout(_ provider: ProviderConfig) -> Double {
        max(provider.timeoutSeconds, provider.streamIdleTimeoutSeconds) + 1
    }

    static func makeHTTPClient(readTimeoutSeconds: Double, maxConnections: Int, on loop: (any EventLoop)? = nil) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.read = .milliseconds(Int64(readTimeoutSeconds * 1000))
        // Every in-flight HTTP/1.1 call (a stream for its whole length) holds a connection; a call beyond the
        // limit waits for one, so the limit is the provider's concurrency.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maxConnections
        // HTTP/2 where TLS + ALPN offers it multiplexes many calls over few connections.
        configuration.httpVersion = .automatic
        configuration.connectionPool.idleTimeout = .seconds(60)
        configuration.timeout.connect = .seconds(10)
        // A refused connection fails the call at once; the engine's retries and fallbacks decide what next.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .enabled(limit: .ratio(100))
        if let loop { return HTTPClient(eventLoopGroup: loop, configuration: configuration) }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The answer cache when `cache:` is configured: its entries from the store, key policies from the key ring.
    func makeAnswerCache(store: any CacheEntryStore, ring: KeyRing) async throws -> ScopedAnswerCache? {
        guard config.cache.configured else { return nil }
        return try await ScopedAnswerCache.open(
            settings: config.cache, store: store, policies: { keyId in try? await ring.entry(keyId: keyId)?.record.policy.cache },
            logger: logger)
    }

    /// The price table shipped with the gateway; without it calls are served and counted, only not costed.
    func loadPrices() -> PriceTable? {
        do {
            return try PriceTable.bundled().overriding(ObservabilitySettingsReader.priceEntries(config.pricing))
        } catch {
            logger.warning("no price table, costs are not recorded", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The one place concrete adapters are built: each provider's chat adapter and the file, batch and
    /// control-plane APIs its vendor offers (the engine keeps them only where `ProviderConfig.isVendorAPI` holds).
    func makeEngine(http: UpstreamHTTP, plugins: [any CallPlugin] = [], answerCache: (any AnswerCache)? = nil) -> Engine {
        let runtimes = config.providers.map { provider -> ProviderRuntime in
            switch provider.kind {
            case .openai:
                ProviderRuntime(
                    config: provider, adapter: OpenAIProvider(http: http),
                    services: ProviderServices(files: OpenAIFilesAPI(http: http), batch: OpenAIBatchAPI(http: http)))
            case .anthropic:
                ProviderRuntime(
                    config: provider, adapter: AnthropicProvider(http: http), services: ProviderServices(batch: AnthropicBatchAPI(http: http)))
            case .gemini:
                ProviderRuntime(
                    config: provider, adapter: GeminiProvider(http: http),
                    services: ProviderServices(files: GeminiFilesAPI(http: http), batch: GeminiBatchAPI(http: http)))
            case .bedrock:
                ProviderRuntime(
                    config: provider, adapter: BedrockProvider(http: http, logger: logger),
                    services: ProviderServices(objectStore: BedrockS3Files(http: http), controlPlane: BedrockBatchControlPlane(http: http)))
            }
        }
        return Engine(providers: runtimes, aliases: config.aliases, plugins: plugins, answerCache: answerCache, logger: logger)
    }

    public func makeApplication(
        engine: Engine, files: FileBackends? = nil, batch: (any BatchJobDesk)? = nil, requestLog: RequestLogSetup? = nil,
        governance: GovernanceSetup? = nil, metrics: PrometheusExport? = nil, cache: ScopedAnswerCache? = nil,
        instances: (any InstanceRegistry)? = nil, dashboardSessions: (any DashboardSessionStore)? = nil
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        if let metrics {
            router.add(middleware: HTTPMetricsMiddleware(metrics: metrics.http))
            metrics.register(on: router)
        }
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: EdgeGuardMiddleware(policy: EdgePolicy(settings: config.server), filesMount: "/bedrock/files"))
        // Before authentication: a direct bearer token leaves the request here, and is no virtual key to check.
        router.add(middleware: DirectKeyMiddleware(allowed: config.governance.allowDirectKeys, filesMount: "/bedrock/files"))
        if let governance {
            router.add(
                middleware: AuthenticationMiddleware(
                    authenticator: governance.authenticator, maxBodyBytes: config.server.maxBodyBytes, filesMount: "/bedrock/files",
                    metrics: metrics?.authentication))
            router.add(middleware: TokenAuthenticationMiddleware<BasicRequestContext>(authenticator: governance.authenticator, metrics: metrics?.authentication))
        }
        let providers = engine.providerNames
        let credentialKeys = config.providers.flatMap { provider in
            provider.keys.compactMap { key in key.awsSupplier.map { (provider: provider.name, key: key.name, supplier: $0) } }
        }
        router.get("health") { _, _ -> Response in
            await HealthResponse.response(providers: providers, instances: instances, credentials: credentialKeys)
        }
        BedrockRuntimeRoutes<BasicRequestContext>(engine: engine, maxBodyBytes: config.server.maxBodyBytes, logger: logger)
            .register(on: router.group("bedrock"))
        BedrockInvokeRoutes<BasicRequestContext>(engine: engine, maxBodyBytes: config.server.maxBodyBytes, logger: logger)
            .register(on: router.group("bedrock"))
        BedrockControlRoutes<BasicRequestContext>(engine: engine).register(on: router.group("bedrock"))
        OpenAIRoutes<BasicRequestContext>(engine: engine, maxBodyBytes: config.server.maxBodyBytes).register(on: router.group("v1"))
        if let files, let desk = batch as? BatchDesk {
            let openAIFiles = OpenAIFiles(access: FileService(backends: files))
            OpenAIFilesRoutes<BasicRequestContext>(files: openAIFiles).register(on: router.group("v1"))
            OpenAIBatchesRoutes<BasicRequestContext>(desk: desk, files: openAIFiles, maxBodyBytes: config.server.maxBodyBytes)
                .register(on: router.group("v1"))
        }
        AnthropicRoutes<BasicRequestContext>(engine: engine, maxBodyBytes: config.server.maxBodyBytes, logger: logger)
            .register(on: router.group("anthropic"))
        if let desk = batch as? BatchDesk {
            AnthropicBatchRoutes<BasicRequestContext>(desk: desk, maxBodyBytes: config.server.maxBodyBytes).register(on: router.group("anthropic"))
        }
        if let files { S3Routes<BasicRequestContext>(backends: files, logger: logger).register(on: router) }
        if let batch {
            BedrockBatchRoutes<BasicRequestContext>(desk: batch, maxBodyBytes: config.server.maxBodyBytes, logger: logger, engine: engine)
                .register(on: router.group("bedrock"))
        }
        BedrockControlRoutes<BasicRequestContext>.registerUnknownOperations(on: router.group("bedrock"))
        let sessions = DashboardSessions(shared: dashboardSessions)
        registerAdminAPI(
            on: router, requestLog: requestLog, governance: governance, cache: cache, batch: batch as? BatchDesk, engine: engine,
            sessions: sessions, files: files)
        DashboardRoutes<BasicRequestContext>(token: config.server.adminToken.map(AdminToken.init), sessions: sessions).register(on: router)
        let deadlines = ClientDeadlines(
            header: config.server.headerTimeoutSeconds, idle: config.server.idleTimeoutSeconds,
            bodyWindow: config.server.bodyTimeoutSeconds, bodyMinBytesPerSecond: config.server.bodyMinBytesPerSecond)
        let connections = ConnectionLimit.resolve(configured: config.server.maxConnections)
        if let warning = connections.warning { logger.warning("\(warning)") }
        let logger = self.logger
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [ExpectContinueHandler(), ClientDeadlineHandler(deadlines: deadlines, logger: logger)])),
            configuration: .init(
                address: .hostname(config.server.host, port: config.server.port), serverName: "switchyard",
                availableConnectionsDelegate: .maximum(connections.limit, logger: logger)),
            onServerRunning: { listener in
                try? await listener.eventLoop.submit {
                    try listener.pipeline.syncOperations.addHandler(DescriptorBackoffHandler(logger: logger), position: .first)
                }.get()
            },
            logger: logger)
    }
}
