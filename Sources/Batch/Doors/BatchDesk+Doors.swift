import Engine
import Foundation
import Stores
import SwitchyardModel

/// The doors' batches on the desk: a gateway-run job whose records each name their model, read from a file of the
/// caller's (OpenAI) or from the requests the create carried (Anthropic). Ownership is every job's: the creating
/// key's, invisible to others.
extension BatchDesk: DoorBatchDesk {
    public func createBatch(_ create: DoorBatchCreate) async throws -> DoorBatch {
        let owner = CallerScope.current?.keyId
        var state = [BatchJobState.namespace: InlineBatchKey.namespace, DoorBatchState.form: create.dialect.rawValue]
        for (name, value) in create.notes { state[DoorBatchState.note(name, create.dialect)] = value }
        let inputURI: String
        let outputURI: String
        var total = 0
        switch create.input {
        case .file(let uri):
            inputURI = uri
            outputURI = "s3://\(OpenAIFileKey.bucket)/"
        case .requests(let requests):
            guard let files else { throw GatewayError(.internalError, "this gateway keeps no store for inline batches") }
            outputURI = InlineBatchKey.folder()
            inputURI = outputURI + InlineBatchKey.requests
            let lines = requests.map { #"{"custom_id":\#(BatchJSON.quoted($0.customId)),"params":\#(BatchJSON.text($0.params))}"# }
            try await files.write(
                namespace: InlineBatchKey.namespace, uri: inputURI, bytes: Array((lines.joined(separator: "\n") + "\n").utf8),
                contentType: "application/jsonl")
            total = requests.count
        }
        let now = Date()
        let job = try await insertNew(token: nil, owner: owner) { id in
            // No job-wide model: each record names its own, as both doors' batch requests do.
            BatchJob(
                id: id, arn: BatchJobID.arn(region: "us-east-1", id: id), name: DoorBatchState.namePrefix(create.dialect) + id, modelId: "",
                runner: "gateway", roleArn: "", clientRequestToken: nil, status: .submitted, submitTime: now, lastModifiedTime: now,
                inputURI: inputURI, outputURI: outputURI, timeoutHours: create.timeoutHours, tags: [:], invocationType: nil,
                statistics: BatchStatistics(totalRecordCount: total), runnerState: state, owner: owner)
        }
        return Self.doorBatch(job, create.dialect)
    }

    public func batch(id: String, dialect: DoorBatchDialect) async throws -> DoorBatch {
        Self.doorBatch(try await doorJob(id, dialect), dialect)
    }

    public func batches(dialect: DoorBatchDialect) async throws -> [DoorBatch] {
        let query = BatchJobQuery(nameContains: DoorBatchState.namePrefix(dialect), limit: 10_000, owner: .owner(CallerScope.current?.keyId))
        return try await store.list(query).filter { Self.isDoorJob($0, dialect) }.map { Self.doorBatch($0, dialect) }
    }

    public func cancelBatch(id: String, dialect: DoorBatchDialect) async throws -> DoorBatch {
        let job = try await doorJob(id, dialect)
        guard job.owner == CallerScope.current?.keyId else {
            throw GatewayError(.accessDenied, "The batch was created without a virtual key; only callers without a key may cancel it.")
        }
        if job.status.isTerminal { throw GatewayError(.validation, "The batch has already ended and can no longer be canceled.") }
        try await markStopping(id: job.id, note: [DoorBatchState.cancellingAt: DoorBatchState.stamp()])
        return Self.doorBatch(try await doorJob(id, dialect), dialect)
    }

    public func deleteBatch(id: String, dialect: DoorBatchDialect) async throws {
        let job = try await doorJob(id, dialect)
        guard job.owner == CallerScope.current?.keyId else {
            throw GatewayError(.accessDenied, "The batch was created without a virtual key; only callers without a key may delete it.")
        }
        try await store.update(id: job.id) { job in
            guard job.status.isTerminal else {
                throw GatewayError(.validation, "The batch is still processing; cancel it and wait for it to end before deleting it.")
            }
            job.runnerState[DoorBatchState.deletedAt] = DoorBatchState.stamp()
            job.lastModifiedTime = Date()
        }
    }

    public func batchResults(id: String, dialect: DoorBatchDialect) async throws -> [UInt8] {
        let job = try await doorJob(id, dialect)
        guard job.status.isTerminal else { throw GatewayError(.validation, "The batch is still processing; its results are not ready yet.") }
        guard dialect == .anthropic, let files else {
            throw GatewayError(.validation, "The batch's results are in its output and error files.")
        }
        return try await files.read(namespace: InlineBatchKey.namespace, uri: job.outputURI + InlineBatchKey.results)
    }

    /// The caller's job behind a door's id; anything else (another key's, another door's, a deleted one, a Bedrock
    /// job) is not found, with the same message, so a lookup tells nothing about batches the caller may not see.
    func doorJob(_ id: String, _ dialect: DoorBatchDialect) async throws -> BatchJob {
        guard id.count == 12, id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }), let job = try await store.job(id: id),
            Self.isDoorJob(job, dialect), Self.mayRead(job)
        else {
            throw GatewayError(.notFound, "No such batch: \(id)")
        }
        return job
    }

    static func isDoorJob(_ job: BatchJob, _ dialect: DoorBatchDialect) -> Bool {
        DoorBatchState.dialect(job) == dialect && job.runnerState[DoorBatchState.deletedAt] == nil
    }

    static func doorBatch(_ job: BatchJob, _ dialect: DoorBatchDialect) -> DoorBatch {
        let stats = job.statistics
        return DoorBatch(
            id: job.id, status: job.status.rawValue, isEnded: job.status.isTerminal, message: job.message, createdAt: job.submitTime,
            startedAt: DoorBatchState.date(job.runnerState[DoorBatchState.inProgressAt]),
            cancelRequestedAt: DoorBatchState.date(job.runnerState[DoorBatchState.cancellingAt]), endedAt: job.endTime,
            expiresAt: BatchJobView.expiration(job), total: stats.totalRecordCount, processed: stats.processedRecordCount,
            succeeded: stats.successRecordCount, errored: stats.errorRecordCount, notes: DoorBatchState.notes(job, dialect))
    }
}
