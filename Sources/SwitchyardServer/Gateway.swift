import AsyncHTTPClient
import Batch
import BedrockDoor
import Engine
import Hummingbird
import Logging
import NIOCore
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
        let client = Self.makeHTTPClient(readTimeoutSeconds: Self.readTimeout(config.providers))
        do {
            let engine = makeEngine(client: client)
            let store = try await GatewayStore.open(dataDir: config.server.dataDir, logger: logger)
            defer { try? store.close() }
            let files = FileBackends(store: store, providers: config.providers, http: UpstreamHTTP(client: client), logger: logger)
            let batch = BatchSystem(
                config: config, engine: engine, http: UpstreamHTTP(client: client), store: store.batchJobs,
                files: FileAccessBatchFiles(access: FileService(backends: files)), codec: BatchJobRecordCodec(), logger: logger)
            let app = makeApplication(engine: engine, files: files, batch: batch.desk)
            let expiry = MultipartExpiryService(
                expiry: MultipartExpiry(
                    uploads: store.multipart, blobs: store.blobs, maxAge: config.server.multipartExpiryHours * 3600, logger: logger),
                logger: logger)
            var configuration = ServiceGroupConfiguration(
                services: [app, batch.runner, expiry], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(config.server.shutdownGraceSeconds * 1000))
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// The longest silence any provider allows: the client-wide safety net under the per-call deadlines (which
    /// cover a call until its answer's head) and the per-stream idle watchdogs (which are shorter or equal).
    static func readTimeout(_ providers: [ProviderConfig]) -> Double {
        (providers.map { max($0.timeoutSeconds, $0.streamIdleTimeoutSeconds) }.max() ?? 120) + 1
    }

    static func makeHTTPClient(readTimeoutSeconds: Double) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.read = .milliseconds(Int64(readTimeoutSeconds * 1000))
        // The default of 8 connections per host makes concurrent streams wait for each other.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
        configuration.connectionPool.idleTimeout = .seconds(60)
        configuration.timeout.connect = .seconds(10)
        // A refused connection fails the call at once; the engine's retries and fallbacks decide what next.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .enabled(limit: .ratio(100))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func makeEngine(client: HTTPClient) -> Engine {
        let http = UpstreamHTTP(client: client)
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
        return Engine(providers: runtimes, aliases: config.aliases, logger: logger)
    }

    public func makeApplication(engine: Engine, files: FileBackends? = nil, batch: (any BatchJobDesk)? = nil) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
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
