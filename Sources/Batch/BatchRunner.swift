import Engine
import Logging
import ServiceLifecycle
import Stores
import SwitchyardModel

/// The background service that advances unfinished jobs: one task per job, started by a scan of the store on every
/// wake-up (a create or stop, or the steady tick). On graceful shutdown it starts nothing new and lets the records
/// in flight finish; whatever is left resumes from the store at the next start.
public struct BatchRunner: Service {
    let store: any BatchJobStore
    let wakeups: BatchWakeups
    let gateway: GatewayBatchExecution
    let native: NativeBatchExecution
    let owners: BatchOwners
    let shutdown: BatchShutdown
    let tick: Duration
    let logger: Logger
    let inFlight = BatchInFlight()

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.ticker() }
                for await _ in wakeups.stream {
                    if shutdown.isSet || Task.isCancelled { break }
                    let jobs: [BatchJob]
                    do {
                        jobs = try await store.unfinished()
                    } catch {
                        logger.warning("could not read the batch jobs", metadata: ["error": "\(error)"])
                        continue
                    }
                    for job in jobs where inFlight.claim(job.id) {
                        group.addTask {
                            await self.advance(job)
                            self.inFlight.release(job.id)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            shutdown.set()
            wakeups.signal()
        }
    }

    func ticker() async {
        wakeups.signal()
        while !shutdown.isSet && !Task.isCancelled {
            try? await Task.sleep(for: tick)
            wakeups.signal()
        }
    }

    /// Runs as the job's owner: its calls are the key's (rules, budgets), its files the key's. An owner that can no
    /// longer act ends the job.
    func advance(_ job: BatchJob) async {
        do {
            var owner: CallerIdentity?
            do {
                owner = try await owners.identity(job)
            } catch let error as GatewayError where error.kind == .accessDenied {
                guard job.runner == "gateway", let keyId = job.owner else {
                    try await store.update(id: job.id) { job in
                        if !job.status.isTerminal { BatchCompletion.stopForOwner(&job, reason: error.message) }
                    }
                    return
                }
                // A gateway-run job stops at its next record, with that message, and writes out what was done as
                // the owner's files (which only the owner's id decides).
                owner = CallerIdentity(keyId: keyId, name: keyId)
            }
            try await CallerScope.$current.withValue(owner) {
                if job.runner == "gateway" {
                    try await gateway.run(job)
                } else {
                    try await native.run(job)
                }
            }
        } catch is CancellationError {
            return
        } catch {
            logger.warning("batch job did not advance", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }
}
