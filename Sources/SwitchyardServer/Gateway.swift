import AsyncHTTPClient
import Batch
import BedrockDoor
import Engine
import Hummingbird
import Logging
import NIOCore
import Pricing
import Providers
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
        FileDescriptorLimit.raiseToHardLimit()
        let http = Self.makeUpstreamHTTP(config.providers)
        do {
            let metrics = config.metrics.enabled ? PrometheusExport() : nil
            metrics?.bootstrapProcessMetrics()
            let engine = makeEngine(http: http, plugins: metrics.map { [$0.plugin(config: config, prices: loadPrices())] } ?? [])
            let store = try await GatewayStore.open(dataDir: config.server.dataDir, logger: logger)
            defer { try? store.close() }
            let files = FileBackends(store: store, providers: config.providers, http: http, logger: logger)
            let batch = BatchSystem(
                config: config, engine: engine, http: http, store: store.batchJobs,
                files: FileAccessBatchFiles(access: FileService(backends: files)), codec: BatchJobRecordCodec(), logger: logger)
            let app = makeApplication(engine: engine, files: files, batch: batch.desk, metrics: metrics)
            let expiry = MultipartExpiryService(
                expiry: MultipartExpiry(
                    uploads: store.multipart, blobs: store.blobs, maxAge: config.server.multipartExpiryHours * 3600, logger: logger),
                logger: logger)
            var configuration = ServiceGroupConfiguration(
                services: [app, batch.runner, expiry], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(config.server.shutdownGraceSeconds * 1000))
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            await Self.shutdown(http)
            throw error
        }
        await Self.shutdown(http)
    }

    /// One client per provider, so each has its own pool size and read timeout; the shared one serves calls made
    /// for no configured provider.
    static func makeUpstreamHTTP(_ providers: [ProviderConfig]) -> UpstreamHTTP {
        var lanes: [String: UpstreamLane] = [:]
        for provider in providers {
            let client = makeHTTPClient(readTimeoutSeconds: readTimeout(provider), maxConnections: provider.maxConnections)
            lanes[provider.name] = UpstreamLane(
                client: client, maxConnections: provider.maxConnections, maxStreamEventBytes: provider.maxStreamEventBytes)
        }
        let shared = makeHTTPClient(
            readTimeoutSeconds: providers.map(readTimeout).max() ?? 121, maxConnections: ProviderConfig.defaultMaxConnections)
        return UpstreamHTTP(client: shared, lanes: lanes, clientMaxConnections: ProviderConfig.defaultMaxConnections)
    }

    static func shutdown(_ http: UpstreamHTTP) async {
        for lane in http.lanes.values { try? await lane.client.shutdown() }
        try? await http.client.shutdown()
    }

    /// The longest silence this provider allows: the net under the non-streaming deadline (checked as body chunks
    /// arrive, so it needs something to arrive) and the stream idle watchdog (which is shorter or equal).
    static func readTimeout(_ provider: ProviderConfig) -> Double {
        max(provider.timeoutSeconds, provider.streamIdleTimeoutSeconds) + 1
    }

    static func makeHTTPClient(readTimeoutSeconds: Double, maxConnections: Int) -> HTTPClient {
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
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The price table shipped with the gateway; without it calls are served and counted, only not costed.
    func loadPrices() -> PriceTable? {
        do {
            return try PriceTable.bundled()
        } catch {
            logger.warning("no price table, costs are not recorded", metadata: ["error": "\(error)"])
            return nil
        }
    }

    func makeEngine(http: UpstreamHTTP, plugins: [any CallPlugin] = []) -> Engine {
        let runtimes = config.providers.map { provider -> ProviderRuntime in
            let adapter: any ChatProvider =
                switch provider.kind {
                case .openai: OpenAIProvider(http: http)
                case .anthropic: AnthropicProvider(http: http)
                case .gemini: GeminiProvider(http: http)
                case .bedrock: BedrockProvider(http: http, logger: logger)
                }
            return ProviderRuntime(config: provider, adapter: adapter)
        }
        return Engine(providers: runtimes, aliases: config.aliases, plugins: plugins, logger: logger)
    }

    public func makeApplication(
        engine: Engine, files: FileBackends? = nil, batch: (any BatchJobDesk)? = nil, metrics: PrometheusExport? = nil
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        if let metrics {
            router.add(middleware: HTTPMetricsMiddleware(metrics: metrics.http))
            metrics.register(on: router)
        }
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: EdgeGuardMiddleware(policy: EdgePolicy(settings: config.server), filesMount: "/bedrock/files"))
        let providers = engine.providerNames
        router.get("health") { _, _ -> Response in
            HealthResponse.response(providers: providers)
        }
        BedrockRuntimeRoutes<BasicRequestContext>(engine: engine, maxBodyBytes: config.server.maxBodyBytes, logger: logger)
            .register(on: router.group("bedrock"))
        BedrockInvokeRoutes<BasicRequestContext>(engine: engine, maxBodyBytes: config.server.maxBodyBytes, logger: logger)
            .register(on: router.group("bedrock"))
        BedrockControlRoutes<BasicRequestContext>(engine: engine).register(on: router.group("bedrock"))
        if let files { S3Routes<BasicRequestContext>(backends: files, logger: logger).register(on: router) }
        if let batch {
            BedrockBatchRoutes<BasicRequestContext>(desk: batch, maxBodyBytes: config.server.maxBodyBytes, logger: logger)
                .register(on: router.group("bedrock"))
        }
        BedrockControlRoutes<BasicRequestContext>.registerUnknownOperations(on: router.group("bedrock"))
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
