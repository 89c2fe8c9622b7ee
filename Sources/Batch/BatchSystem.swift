import Engine
import Logging
import Providers
import Stores
import SwitchyardModel

/// The batch system wired together: the desk the Bedrock door's batch routes use, and the runner service.
public struct BatchSystem: Sendable {
    public let desk: BatchDesk
    public let runner: BatchRunner

    /// `codec` reads and writes Bedrock-form records (the Bedrock door's `BatchJobRecordCodec`).
    public init(
        config: GatewayConfig, engine: Engine, http: UpstreamHTTP, store: any BatchJobStore, files: any BatchFiles,
        codec: any BatchRecordCodec, logger: Logger, tick: Duration = .seconds(1)
    ) {
        let wakeups = BatchWakeups()
        let shutdown = BatchShutdown()
        let targets = BatchTargets(providers: config.providers)
        let translator = BatchRecordTranslator(bedrock: codec)
        let loader = BatchInputLoader(files: files)
        let writer = BatchOutputWriter(files: files)
        var apis: [String: any BatchProvider] = [:]
        for provider in config.providers {
            switch BatchRunnerKind.nativeKind(provider) {
            case .openai?: apis[provider.name] = OpenAIBatchAPI(http: http)
            case .anthropic?: apis[provider.name] = AnthropicBatchAPI(http: http)
            case .gemini?: apis[provider.name] = GeminiBatchAPI(http: http)
            default: break
            }
        }
        desk = BatchDesk(
            store: store, engine: engine, providers: config.providers, forwarder: BedrockBatchControlPlane(http: http), wakeups: wakeups)
        runner = BatchRunner(
            store: store, wakeups: wakeups,
            gateway: GatewayBatchExecution(
                store: store, engine: engine, translator: translator, loader: loader, writer: writer,
                concurrency: max(1, config.server.batchConcurrency), shutdown: shutdown, logger: logger),
            native: NativeBatchExecution(
                store: store, engine: engine, apis: apis, targets: targets, translator: translator, loader: loader, writer: writer,
                shutdown: shutdown, logger: logger),
            shutdown: shutdown, tick: tick, logger: logger)
    }
}
