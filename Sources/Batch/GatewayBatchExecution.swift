import Engine
import Foundation
import Logging
import Stores
import Synchronization
import SwitchyardModel

/// Runs a job's records through the engine itself, a bounded number at a time. Each result is stored as soon as it
/// arrives, so after a crash the job resumes where it was: finished records are neither lost nor repeated.
struct GatewayBatchExecution: Sendable {
    let store: any BatchJobStore
    let engine: Engine
    let translator: BatchRecordTranslator
    let loader: BatchInputLoader
    let writer: BatchOutputWriter
    let owners: BatchOwners
    let concurrency: Int
    let shutdown: BatchShutdown
    let logger: Logger

    func run(_ start: BatchJob) async throws {
        var job = start
        if job.status == .submitted || job.status == .scheduled {
            job = try await store.update(id: job.id) { job in
                if job.status == .submitted || job.status == .scheduled {
                    job.status = .validating
                    job.lastModifiedTime = Date()
                }
            }
        }
        let input: BatchInput
        do {
            input = try await loader.load(job)
        } catch {
            if shutdown.isSet { return }
            let reason = BatchFailureReason.text(error)
            try await store.update(id: job.id) { job in
                if job.status == .stopping {
                    BatchCompletion.finish(&job)
                } else if !job.status.isTerminal {
                    BatchCompletion.fail(&job, message: "The input could not be read: \(reason)")
                }
            }
            return
        }
        job = try await store.update(id: job.id) { job in
            job.statistics.totalRecordCount = input.records.count
            if job.status == .validating {
                job.status = .inProgress
                job.lastModifiedTime = Date()
                job.runnerState[DoorBatchState.inProgressAt] = DoorBatchState.stamp(job.lastModifiedTime)
            }
        }
        let finished = try await store.finishedIndexes(jobId: job.id)
        let pending = input.records.filter { !finished.contains($0.index) }
        let budget = BudgetStop()
        try await process(pending, job: job, budget: budget)
        if shutdown.isSet { return }
        try await finalize(job.id, input: input, halt: budget.halt)
    }

    func process(_ pending: [BatchRecord], job: BatchJob, budget: BudgetStop) async throws {
        let route = BatchRecordRoute(job: job, engine: engine)
        let lines = BatchResultLines(job: job)
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for record in pending {
                if running >= concurrency {
                    await group.next()
                    running -= 1
                }
                guard await mayContinue(job, budget: budget) else { break }
                group.addTask { await self.run(record, job: job, target: route.target(record), lines: lines, budget: budget) }
                running += 1
            }
            await group.waitForAll()
        }
    }

    /// Checked between records: a stop request, the job's timeout, an exhausted budget and shutdown all end the
    /// dispatching.
    func mayContinue(_ job: BatchJob, budget: BudgetStop) async -> Bool {
        if shutdown.isSet || budget.halt != nil { return false }
        guard let current = try? await store.job(id: job.id) else { return false }
        if current.status == .stopping || current.status.isTerminal { return false }
        return Date() < BatchJobView.expiration(current)
    }

    func run(_ record: BatchRecord, job: BatchJob, target: BatchRecordRoute.Target, lines: BatchResultLines, budget: BudgetStop) async {
        let (modelId, model) = (target.modelId, target.model)
        let line: String
        var succeeded = false
        var inputTokens = 0
        var outputTokens = 0
        // Each record runs as the owning key is now: one revoked since the last record stops the job.
        let caller: CallerIdentity?
        do {
            caller = try await owners.identity(job)
        } catch let error as GatewayError where error.kind == .accessDenied {
            budget.stop(.owner(error.message))
            return
        } catch {
            // Not known now (the store is unreachable): the record stays undone and is tried when the job is next
            // picked up.
            logger.warning("could not look up the owner of a batch job", metadata: ["job": "\(job.id)", "error": "\(error)"])
            return
        }
        // Each record is a call of its own through the engine's pipeline, billed at batch prices.
        if let refusal = lines.refusal(record) {
            await keep(BatchRecordResult(index: record.index, line: refusal, succeeded: false), job: job)
            return
        }
        let call = engine.begin(
            CallDescriptor(
                requestId: lines.requestId(record), door: "batch", operation: "BatchRecord", route: "batch/record",
                modelRequested: modelId, caller: caller, batchJobId: job.id, billing: .batch))
        do {
            let decoded = try translator.decode(record, modelId: job.modelId, invocationType: job.invocationType)
            let output: Data
            switch decoded.request {
            case .chat(let chat):
                let answer = try await engine.complete(chat, modelId: modelId, call: call)
                // A door batch has no job-wide model: its answers name the record's own.
                output = try translator.encode(
                    answer, shape: decoded.shape, modelId: job.modelId.isEmpty ? modelId : job.modelId, model: model, recordId: record.recordId)
                inputTokens = answer.usage.inputTokens + answer.usage.cacheReadTokens + answer.usage.cacheWriteTokens
                outputTokens = answer.usage.outputTokens
            case .embedding(let request):
                let answer = try await engine.embed(request, modelId: modelId, call: call)
                output = try translator.encode(answer, request: request, shape: decoded.shape, model: model)
                inputTokens = answer.inputTokens
            }
            line = lines.answered(record, output: output)
            succeeded = true
            call.finish(CallEnd(outcome: .success, status: 200))
        } catch is CancellationError {
            call.finish(CallEnd(outcome: .clientGone, status: 499))
            return
        } catch let error as GatewayError where error.kind == .quotaExceeded && error.refusedByPlugin {
            // Not a failed record but the end of the job: every later record would be refused the same way, and
            // this one stays undone (no output line) rather than failed.
            call.finish(CallEnd(outcome: .failure, status: BatchOutputLine.code(for: error), errorCode: "ServiceQuotaExceededException"), error: error)
            budget.stop(.budget(error.message))
            return
        } catch let error as GatewayError {
            let code = BatchOutputLine.code(for: error)
            line = lines.failed(record, error: error, code: code)
            call.finish(CallEnd(outcome: .failure, status: code, errorCode: error.upstreamCode), error: error)
        } catch {
            let failure = GatewayError(.internalError, BatchFailureReason.text(error))
            line = lines.failed(record, error: failure, code: 500)
            call.finish(CallEnd(outcome: .failure, status: 500), error: failure)
        }
        await keep(BatchRecordResult(index: record.index, line: line, succeeded: succeeded, inputTokens: inputTokens, outputTokens: outputTokens), job: job)
    }

    func keep(_ result: BatchRecordResult, job: BatchJob) async {
        do {
            _ = try await store.addResult(jobId: job.id, result)
        } catch {
            // Not stored means not done: the record is tried again when the job is next picked up.
            logger.warning("could not store a batch record result", metadata: ["job": "\(job.id)", "record": "\(result.index)", "error": "\(error)"])
        }
    }

    /// Writes the output and sets the terminal status, unless records are still owed (a result that could not be
    /// stored), in which case the job stays as it is and is picked up again. A job its budget stopped ends
    /// `Stopped` with the records done so far (`Failed` when none was), its message saying why.
    func finalize(_ id: String, input: BatchInput, halt: BatchHalt? = nil) async throws {
        guard let job = try await store.job(id: id) else { return }
        let stats = job.statistics
        let cut = job.status == .stopping || Date() >= BatchJobView.expiration(job) || halt != nil
        if !cut && stats.processedRecordCount < stats.totalRecordCount { return }
        let results = try await store.results(jobId: id)
        let files = Dictionary(uniqueKeysWithValues: input.records.map { ($0.index, $0.file) })
        var written: [String: String] = [:]
        var unrun: [String] = []
        let lines = BatchResultLines(job: job)
        if lines.dialect == .anthropic {
            let reason = Self.unrunReason(job, halt: halt)
            let finished = Set(results.map(\.index))
            unrun = input.records.filter { !finished.contains($0.index) }.map { lines.unrun($0, because: reason) }
            if !unrun.isEmpty { written[DoorBatchState.note(DoorBatchState.unrun, .anthropic)] = reason.countedAs }
        }
        let outputs = try await writer.write(job, fileNames: input.fileNames, fileOf: { files[$0] ?? 0 }, results: results, unrun: unrun)
        written.merge(outputs) { _, new in new }
        let done = try await store.update(id: id) { [written] job in
            guard !job.status.isTerminal else { return }
            job.runnerState.merge(written) { _, new in new }
            switch halt {
            case .budget(let reason)? where job.status != .stopping: BatchCompletion.stopForBudget(&job, reason: reason)
            case .owner(let reason)? where job.status != .stopping: BatchCompletion.stopForOwner(&job, reason: reason)
            default: BatchCompletion.finish(&job)
            }
        }
        logger.info(
            "batch job finished",
            metadata: ["job": "\(id)", "status": "\(done.status.rawValue)", "records": "\(done.statistics.processedRecordCount)"])
    }
}

extension GatewayBatchExecution {
    /// What the records a job ends without running became: a cancel wins over a halt, which wins over the timeout.
    static func unrunReason(_ job: BatchJob, halt: BatchHalt?) -> BatchUnrun {
        if job.status == .stopping { return .canceled }
        switch halt {
        case .budget(let reason)?: return .refused(GatewayError(.quotaExceeded, reason))
        case .owner(let reason)?: return .refused(GatewayError(.accessDenied, reason))
        case nil: return .expired
        }
    }
}

/// Why a job stopped before its last record: its key's budget ran out, or its key can no longer act.
enum BatchHalt: Sendable, Hashable {
    case budget(String)
    case owner(String)
}

/// The first halt among a job's records, shared by the records running at once.
final class BudgetStop: Sendable {
    private let reason = Mutex<BatchHalt?>(nil)

    var halt: BatchHalt? { reason.withLock { $0 } }

    func stop(_ halt: BatchHalt) {
        reason.withLock { if $0 == nil { $0 = halt } }
    }
}
