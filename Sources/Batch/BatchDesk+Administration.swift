import Foundation
import Stores
import SwitchyardModel

/// What the admin API sees of batch jobs: every job whoever owns it, with its owner and how it runs, and a stop
/// that needs no ownership (the administrator stands above the keys).
public struct AdministeredBatchJob: Sendable {
    public var info: BatchJobInfo
    public var id: String
    public var owner: String?
    public var runner: String
    public var namespace: String?
    public var inputTokens: Int
    public var outputTokens: Int
}

extension BatchDesk {
    public func administeredJobs(status: String?, limit: Int) async throws -> [AdministeredBatchJob] {
        let query = BatchJobQuery(status: status.flatMap(BatchJobStatus.init(rawValue:)), limit: limit, owner: .everyone)
        return try await store.list(query).map(Self.administered)
    }

    public func administeredJob(id: String) async throws -> AdministeredBatchJob {
        guard let job = try await store.job(id: id) else { throw Self.notFound(id) }
        return Self.administered(job)
    }

    /// As StopModelInvocationJob, without the owner check.
    public func administeredStop(id: String) async throws -> AdministeredBatchJob {
        guard try await store.job(id: id) != nil else { throw Self.notFound(id) }
        try await markStopping(id: id)
        return try await administeredJob(id: id)
    }

    static func administered(_ job: BatchJob) -> AdministeredBatchJob {
        AdministeredBatchJob(
            info: BatchJobView.info(job), id: job.id, owner: job.owner, runner: job.runner,
            namespace: job.runnerState[BatchJobState.namespace], inputTokens: job.statistics.inputTokenCount,
            outputTokens: job.statistics.outputTokenCount)
    }
}
