import Engine
import Foundation
import OpenAIDialect
import Stores
import SwitchyardModel

/// `/v1/batches` on the desk: an OpenAI batch is a gateway-run job whose records each name their model, read from
/// a `/v1/files` file and answered into two more. Ownership is every job's: the creating key's, invisible to others.
extension BatchDesk {
    /// `input`: the caller's own file, already checked to be a `batch` file.
    public func createOpenAIBatch(_ request: OpenAIBatchRequest, input: OpenAIFiles.Stored) async throws -> OpenAIBatchObject {
        let owner = CallerScope.current?.keyId
        var state = [
            BatchJobState.namespace: OpenAIFileKey.namespace, OpenAIBatchState.form: OpenAIBatchState.formValue,
            OpenAIBatchState.endpoint: request.endpoint, OpenAIBatchState.inputFileId: input.object.id,
            OpenAIBatchState.completionWindow: request.completionWindow,
        ]
        if let metadata = request.metadata { state[OpenAIBatchState.metadata] = String(decoding: OpenAIObjectJSON.data(metadata), as: UTF8.self) }
        let now = Date()
        let job = try await insertNew(token: nil, owner: owner) { id in
            // No job-wide model: each line's body names its own, as OpenAI's batch lines do.
            BatchJob(
                id: id, arn: BatchJobID.arn(region: "us-east-1", id: id), name: OpenAIBatchState.namePrefix + id, modelId: "",
                runner: "gateway", roleArn: "", clientRequestToken: nil, status: .submitted, submitTime: now, lastModifiedTime: now,
                inputURI: input.uri, outputURI: "s3://\(OpenAIFileKey.bucket)/", timeoutHours: Self.hours(request.completionWindow),
                tags: [:], invocationType: nil, runnerState: state, owner: owner)
        }
        return OpenAIBatchView.object(job)
    }

    public func openAIBatch(id: String) async throws -> OpenAIBatchObject {
        OpenAIBatchView.object(try await openAIJob(id))
    }

    /// Newest first, as OpenAI lists them; `after` is the id of the last batch of the previous page.
    public func openAIBatches(after: String?, limit: Int) async throws -> OpenAIPage<OpenAIBatchObject> {
        let query = BatchJobQuery(nameContains: OpenAIBatchState.namePrefix, limit: 10_000, owner: .owner(CallerScope.current?.keyId))
        let batches = try await store.list(query).filter(OpenAIBatchState.isOpenAI).map(OpenAIBatchView.object)
        return OpenAIPage.cut(batches, after: after, limit: limit, id: \.id)
    }

    /// As a stop: the requests in flight finish and are kept, no other starts; the batch is `cancelling` until then.
    public func cancelOpenAIBatch(id: String) async throws -> OpenAIBatchObject {
        let job = try await openAIJob(id)
        guard job.owner == CallerScope.current?.keyId else {
            throw GatewayError(.accessDenied, "The batch \(id) was created without a virtual key; only callers without a key may cancel it")
        }
        if job.status.isTerminal {
            throw GatewayError(.validation, "Cannot cancel a batch with status '\(OpenAIBatchView.status(job).rawValue)'.")
        }
        try await markStopping(id: job.id, note: [OpenAIBatchState.cancellingAt: OpenAIBatchState.stamp()])
        return OpenAIBatchView.object(try await openAIJob(id))
    }

    func openAIJob(_ id: String) async throws -> BatchJob {
        let jobId = id.hasPrefix(OpenAIBatchState.idPrefix) ? String(id.dropFirst(OpenAIBatchState.idPrefix.count)) : ""
        guard jobId.count == 12, let job = try await store.job(id: jobId), OpenAIBatchState.isOpenAI(job), Self.mayRead(job) else {
            throw GatewayError(.notFound, "No such Batch object: \(id)")
        }
        return job
    }

    static func hours(_ completionWindow: String) -> Int {
        completionWindow.hasSuffix("h") ? Int(completionWindow.dropLast()) ?? 24 : 24
    }
}
