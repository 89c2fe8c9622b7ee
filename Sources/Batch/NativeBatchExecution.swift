import Engine
import Foundation
import Logging
import Stores
import SwitchyardModel

/// Runs a job on a provider's own batch API: submit once (the provider's batch id is stored at once), poll with a
/// growing interval, pass a stop on as a cancel, and when the provider is done turn its answers into Bedrock's
/// output form like a gateway-run job's. The batch API is the one the engine has for the provider
/// (`ProviderServices.batch`), and every call to it goes through the engine's pipeline (`providerCall`); each
/// record's answer is reported as a call of its own when the results are read.
struct NativeBatchExecution: Sendable {
    let store: any BatchJobStore
    let engine: Engine
    let translator: BatchRecordTranslator
    let loader: BatchInputLoader
    let writer: BatchOutputWriter
    let shutdown: BatchShutdown
    let logger: Logger
    var firstPoll: Duration = .milliseconds(500)
    var longestPoll: Duration = .seconds(30)

    func run(_ start: BatchJob) async throws {
        let provider = start.runnerState[BatchJobState.nativeProvider] ?? start.runner
        guard let api = engine.services(provider).batch else {
            try await store.update(id: start.id) { BatchCompletion.fail(&$0, message: "provider '\(provider)' has no batch API") }
            return
        }
        let model = upstreamModel(start.modelId, provider: provider)
        var delay = firstPoll
        while !shutdown.isSet {
            guard let job = try await store.job(id: start.id), !job.status.isTerminal else { return }
            do {
                if try await step(job, api: api, provider: provider, model: model) { return }
            } catch let error as GatewayError where error.isRetryable || error.kind == .timeout || error.kind == .badUpstreamAnswer {
                // A poll comes back later anyway: an odd answer now (a proxy's error page) need not end the job.
                logger.info("batch provider call failed; trying again", metadata: ["job": "\(job.id)", "error": "\(error.message)"])
            } catch let error as GatewayError {
                try await store.update(id: job.id) { job in
                    if !job.status.isTerminal { BatchCompletion.fail(&job, message: "provider '\(provider)': \(error.message)") }
                }
                return
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, longestPoll)
        }
    }

    /// One move of the job's state machine; true once the job is terminal.
    func step(_ job: BatchJob, api: any BatchProvider, provider: String, model: String) async throws -> Bool {
        guard let remoteId = job.providerJobId else {
            if job.status == .stopping {
                try await store.update(id: job.id) { BatchCompletion.finish(&$0) }
                return true
            }
            return try await submit(job, api: api, provider: provider, model: model)
        }
        let pinned = job.runnerState[BatchJobState.key]
        if job.status == .stopping, job.runnerState[BatchJobState.cancelRequested] == nil {
            try await providerCall("BatchCancel", job: job, provider: provider, model: model, pinned: pinned) { target, _ in
                try await api.cancel(remoteId, target: target)
            }
            try await store.update(id: job.id) { $0.runnerState[BatchJobState.cancelRequested] = "1" }
        }
        let state = try await providerCall("BatchStatus", job: job, provider: provider, model: model, pinned: pinned) { target, _ in
            try await api.state(of: remoteId, target: target)
        }
        switch state.phase {
        case .ended, .cancelled, .expired:
            try await collect(job, api: api, remoteId: remoteId, phase: state.phase, provider: provider, model: model)
            return true
        case .failed(let message):
            try await store.update(id: job.id) { job in
                if !job.status.isTerminal { BatchCompletion.fail(&job, message: "provider '\(provider)' failed the batch: \(message)") }
            }
            return true
        case .validating, .running, .cancelling:
            try await store.update(id: job.id) { job in
                if state.total > 0 { job.statistics.totalRecordCount = state.total }
                job.statistics.successRecordCount = state.succeeded
                job.statistics.errorRecordCount = state.failed
                job.statistics.processedRecordCount = state.succeeded + state.failed
                if job.status == .validating || job.status == .submitted { job.status = .inProgress }
                job.lastModifiedTime = Date()
            }
            return false
        }
    }

    func submit(_ job: BatchJob, api: any BatchProvider, provider: String, model: String) async throws -> Bool {
        if job.runnerState[BatchJobState.submitStarted] != nil, try await adoptEarlierSubmission(job, api: api, provider: provider, model: model) {
            return false
        }
        try await store.update(id: job.id) { job in
            if job.status == .submitted {
                job.status = .validating
                job.lastModifiedTime = Date()
            }
        }
        var fileId = job.tags["file_id"]
        let input: BatchInput?
        do {
            input = try await loader.load(job)
        } catch {
            // With a provider file id the requests are already upstream; reading them only names the output lines.
            // Callers also name a file in the provider's store as `s3://<any bucket>/<file id>` without the tag.
            if fileId == nil, api.nativeRecordForm != nil, let key = S3Location(job.inputURI)?.key, !key.isEmpty, !key.hasSuffix("/") {
                fileId = key
            }
            if fileId == nil {
                let reason = BatchFailureReason.text(error)
                try await store.update(id: job.id) { BatchCompletion.fail(&$0, message: "The input could not be read: \(reason)") }
                return true
            }
            input = nil
        }
        var records: [BatchSubmissionRecord] = []
        if fileId == nil, let input {
            for record in input.records {
                // Not a ternary: a bare `nil` there would become JSONValue.null, which is a body.
                var native: JSONValue?
                if record.form.rawValue == api.nativeRecordForm { native = record.modelInput }
                var chat: ChatRequest?
                if case .chat(let decoded)? = try? translator.decode(record, modelId: job.modelId, invocationType: job.invocationType).request {
                    chat = decoded
                }
                if chat == nil && native == nil { continue }
                records.append(BatchSubmissionRecord(customId: Self.customId(record), request: chat, nativeBody: native))
            }
            if records.isEmpty {
                try await store.update(id: job.id) { BatchCompletion.fail(&$0, message: "No record of the input could be sent to provider '\(provider)'") }
                return true
            }
        }
        let submission = BatchSubmission(
            displayName: job.name, records: records, inputFileId: fileId, endpoint: job.tags["endpoint"],
            metadata: ["switchyard_job": job.id])
        let (remoteId, key) = try await providerCall("BatchSubmit", job: job, provider: provider, model: model, pinned: nil) {
            target, key in
            // Stored before the provider sees the batch: a restart that lost the answer adopts it with this key.
            try await store.update(id: job.id) { job in
                job.runnerState[BatchJobState.submitStarted] = "1"
                job.runnerState[BatchJobState.key] = key
            }
            return (try await api.submit(submission, target: target), key)
        }
        let submittedFile = fileId
        try await store.update(id: job.id) { job in
            job.providerJobId = remoteId
            job.runnerState[BatchJobState.key] = key
            job.runnerState[BatchJobState.inputFileId] = submittedFile
            job.statistics.totalRecordCount = input?.records.count ?? 0
            if job.status == .validating { job.status = .inProgress }
            job.lastModifiedTime = Date()
        }
        return false
    }

    /// A restart after a submission whose answer was lost: take over the batch the provider already has.
    func adoptEarlierSubmission(_ job: BatchJob, api: any BatchProvider, provider: String, model: String) async throws -> Bool {
        let found = try await providerCall(
            "BatchFind", job: job, provider: provider, model: model, pinned: job.runnerState[BatchJobState.key]
        ) { target, key in (try await api.find(jobId: job.id, target: target), key) }
        guard let remoteId = found.0 else { return false }
        let key = found.1
        let total = (try? await loader.load(job))?.records.count ?? 0
        let fileId = job.tags["file_id"]
        logger.info("batch job resumed an earlier submission", metadata: ["job": "\(job.id)", "batch": "\(remoteId)"])
        try await store.update(id: job.id) { job in
            job.providerJobId = remoteId
            job.runnerState[BatchJobState.key] = key
            job.runnerState[BatchJobState.inputFileId] = fileId
            job.statistics.totalRecordCount = total
            if job.status == .validating || job.status == .submitted { job.status = .inProgress }
            job.lastModifiedTime = Date()
        }
        return true
    }

    func collect(
        _ job: BatchJob, api: any BatchProvider, remoteId: String, phase: BatchRemoteState.Phase, provider: String, model: String
    ) async throws {
        let pinned = job.runnerState[BatchJobState.key]
        let outcomes = try await providerCall("BatchResults", job: job, provider: provider, model: model, pinned: pinned) { target, _ in
            try await api.outcomes(of: remoteId, target: target)
        }
        if job.runnerState[BatchJobState.recordsReported] == nil {
            // Marked before the reports go out: a restart in between loses them rather than charging them twice.
            try await store.update(id: job.id) { $0.runnerState[BatchJobState.recordsReported] = "1" }
            report(outcomes, job: job, provider: provider, model: model, keyName: pinned)
        }
        let input = try? await loader.load(job)
        let fromFile = job.runnerState[BatchJobState.inputFileId] != nil
        let lines = BatchNativeResults(
            translator: translator, nativeForm: api.nativeRecordForm, modelId: job.modelId, model: model, invocationType: job.invocationType
        ).results(input: input, outcomes: outcomes, keyedByRecordId: fromFile, complete: phase == .ended)
        // The progress counts came from the provider; from here on they are the stored results'.
        try await store.update(id: job.id) { job in
            job.statistics = BatchStatistics(totalRecordCount: input?.records.count ?? lines.count)
        }
        for result in lines { _ = try await store.addResult(jobId: job.id, result) }
        guard var current = try await store.job(id: job.id) else { return }
        let results = try await store.results(jobId: job.id)
        let files = Dictionary(uniqueKeysWithValues: (input?.records ?? []).map { ($0.index, $0.file) })
        _ = try await writer.write(current, fileNames: input?.fileNames ?? [], fileOf: { files[$0] ?? 0 }, results: results)
        try await store.update(id: job.id) { job in
            if job.status.isTerminal { return }
            if phase == .cancelled { job.status = .stopping }
            BatchCompletion.finish(&job)
        }
        current = try await store.job(id: job.id) ?? current
        logger.info("batch job finished", metadata: ["job": "\(job.id)", "status": "\(current.status.rawValue)"])
    }

    static func customId(_ record: BatchRecord) -> String { "r\(record.index)" }

    /// One call of the provider's batch API, through the engine's pipeline as a call of its own (door `batch`,
    /// billed at batch prices), so the plugins see every submission, poll, cancel and result fetch.
    func providerCall<T: Sendable>(
        _ operation: String, job: BatchJob, provider: String, model: String, pinned: String?,
        _ work: (UpstreamTarget, _ keyName: String?) async throws -> T
    ) async throws -> T {
        let call = engine.begin(
            CallDescriptor(
                requestId: "\(job.id)-\(operation)-\(UUID().uuidString.prefix(8).lowercased())", door: "batch", operation: operation,
                route: "batch/native", modelRequested: job.modelId, batchJobId: job.id, billing: .batch))
        do {
            let answer = try await engine.perform(provider: provider, model: model, key: .balanced(pinned: pinned), call: call, work)
            call.finish(CallEnd(outcome: .success, status: 200))
            return answer
        } catch let error as GatewayError {
            call.finish(CallEnd(outcome: .failure, status: BatchOutputLine.code(for: error), errorCode: error.upstreamCode), error: error)
            throw error
        } catch {
            call.finish(CallEnd(outcome: .failure, status: 500), error: GatewayError(.internalError, BatchFailureReason.text(error)))
            throw error
        }
    }

    /// Every record the provider answered, as a call of its own with its usage (door `batch`, operation
    /// `BatchRecord`, batch prices): the provider made these calls, the gateway learns of them with the results.
    func report(_ outcomes: [BatchRemoteOutcome], job: BatchJob, provider: String, model: String, keyName: String?) {
        for outcome in outcomes {
            let descriptor = CallDescriptor(
                requestId: "\(job.id)-\(outcome.customId)", door: "batch", operation: "BatchRecord", route: "batch/record",
                modelRequested: job.modelId, batchJobId: job.id, billing: .batch)
            switch outcome.result {
            case .success(_, let response):
                engine.report(
                    descriptor, provider: provider, model: model, keyName: keyName, usage: response?.usage,
                    stopReason: response?.stopReason.name.description, error: nil)
            case .failure(let code, let message):
                let error = GatewayError(GatewayError.kind(forUpstreamStatus: code), message, upstreamStatus: code)
                engine.report(descriptor, provider: provider, model: model, keyName: keyName, usage: nil, stopReason: nil, error: error)
            }
        }
    }

    /// The model as the provider knows it: `openai/gpt-4o-mini` and aliases resolve; a bare name is kept.
    func upstreamModel(_ modelId: String, provider: String) -> String {
        if let route = try? engine.resolve(BatchRouting.modelId(modelId, provider: provider)).route, route.provider == provider {
            return route.model
        }
        return modelId.hasPrefix(provider + "/") ? String(modelId.dropFirst(provider.count + 1)) : modelId
    }
}
