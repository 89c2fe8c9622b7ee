import Engine
import Logging
import Stores
import SwitchyardModel

/// The batch system wired together: the desk the doors' batch routes use, and the runner service. The
/// providers' batch APIs and control planes are the engine's (`Engine.services`).
public struct BatchSystem: Sendable {
    public let desk: BatchDesk
    public let runner: BatchRunner

    /// `codec` reads and writes Bedrock-form records (the Bedrock door's `BatchJobRecordCodec`); `callers` tells
    /// what a job's owning key is now (without it, as in tests, the owner acts by its id alone).
    public init(
        config: GatewayConfig, engine: Engine, store: any BatchJobStore, files: any BatchFiles,
        codec: any BatchRecordCodec, callers: (any CallerDirectory)? = nil, logger: Logger, tick: Duration = .seconds(1),
        leaseHolder: String = "local"
    ) {
        let wakeups = BatchWakeups()
        let shutdown = BatchShutdown()
        let translator = BatchRecordTranslator(bedrock: codec)
        // Every read of an input and write of a result is a call of the pipeline, under the job's id.
        let calls = BatchFileCalls(engine: engine)
        let loader = BatchInputLoader(files: files, calls: calls)
        let writer = BatchOutputWriter(files: files, calls: calls)
        let owners = BatchOwners(callers: callers)
        desk = BatchDesk(store: store, engine: engine, providers: config.providers, wakeups: wakeups, files: files)
        runner = BatchRunner(
            store: store, wakeups: wakeups,
            gateway: GatewayBatchExecution(
                store: store, engine: engine, translator: translator, loader: loader, writer: writer, owners: owners,
                concurrency: max(1, config.server.batchConcurrency), shutdown: shutdown, logger: logger),
            native: NativeBatchExecution(
                store: store, engine: engine, translator: translator, loader: loader, writer: writer,
                shutdown: shutdown, logger: logger),
            owners: owners, shutdown: shutdown, tick: tick,
            lease: BatchLease(holder: leaseHolder, duration: .milliseconds(Int64(config.server.batchLeaseSeconds * 1000))), logger: logger)
    }
}
