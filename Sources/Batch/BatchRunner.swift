import Engine
import Foundation
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
    let lease: BatchLease
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
                        jobs = try await store.claimUnfinished(holder: lease.holder, until: lease.expiry(), now: Date())
                    } catch {
                        logger.warning("could not read the batch jobs", metadata: ["error": "\(error)"])
                        continue
                    }
                    for job in jobs where inFlight.claim(job.id) {
                        group.addTask {
                            await self.advanceLeased(job)
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

    /// Advances the job while renewing its lease; a lease lost (this instance was cut off long enough for another
    /// to take the job over) cancels the work here, so two instances do not run one job's records.
    func advanceLeased(_ job: BatchJob) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.advance(job) }
            group.addTask { await self.keepLease(job.id) }
            await group.next()
            group.cancelAll()
        }
        do {
            try await store.releaseLease(jobId: job.id, holder: lease.holder)
        } catch {
            logger.warning("could not release a batch job's lease", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    /// Returns when the lease is lost; runs until cancelled otherwise.
    func keepLease(_ jobId: String) async {
        while (try? await Task.sleep(for: lease.duration / 3)) != nil {
            do {
                if try await store.renewLeases(holder: lease.holder, jobIds: [jobId], until: lease.expiry()).contains(jobId) {
                    logger.warning("lost the lease of a batch job to another instance", metadata: ["job": "\(jobId)"])
                    return
                }
            } catch {
                // Kept running: the lease is good until it expires, and the next renewal may get through.
                logger.warning("could not renew a batch job's lease", metadata: ["job": "\(jobId)", "error": "\(error)"])
            }
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

/// Who this runner is on a shared store, and how long its claim on a job lasts without renewal.
public struct BatchLease: Sendable {
    public var holder: String
    public var duration: Duration

    public init(holder: String, duration: Duration) {
        self.holder = holder
        self.duration = duration
    }

    func expiry() -> Date {
        let (seconds, attoseconds) = duration.components
        return Date().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }
}
