import Engine
import Foundation
import Logging
import NIOCore
import Stores
import SwitchyardModel

/// The batch routes' side of the store: creates, describes, lists and stops jobs, and forwards the calls meant for
/// AWS's own control plane. A job belongs to the virtual key that created it (`CallerScope.current`): another key
/// finds neither it nor, in listings, any trace of it; a job created without a key is visible to every caller and
/// stoppable only by callers without a key.
public struct BatchDesk: BatchJobDesk {
    let store: any BatchJobStore
    let engine: Engine
    let providers: [ProviderConfig]
    let wakeups: BatchWakeups
    /// Where the doors' inline batches keep their records and results; without it (tests of Bedrock jobs alone)
    /// such batches are refused.
    let files: (any BatchFiles)?

    public init(
        store: any BatchJobStore, engine: Engine, providers: [ProviderConfig], wakeups: BatchWakeups, files: (any BatchFiles)? = nil
    ) {
        self.store = store
        self.engine = engine
        self.providers = providers
        self.wakeups = wakeups
        self.files = files
    }

    public func create(_ spec: BatchJobSpec) async throws -> BatchJobInfo {
        let owner = CallerScope.current?.keyId
        if let token = spec.clientRequestToken, let earlier = try await store.job(clientRequestToken: token) {
            return try Self.sameToken(earlier, owner: owner)
        }
        let runner = try BatchRunnerKind.decide(header: spec.provider, providers: providers)
        var state = [BatchJobState.namespace: spec.provider ?? "gateway"]
        let runnerName: String
        switch runner {
        case .gateway(let provider):
            // A model nothing can serve is refused now, not found out record by record.
            _ = try engine.resolve(BatchRouting.modelId(spec.modelId, provider: provider))
            state[BatchJobState.provider] = provider
            runnerName = "gateway"
        case .native(let provider, _):
            state[BatchJobState.nativeProvider] = provider
            runnerName = provider
        case .forwarded(let provider):
            throw GatewayError(.internalError, "jobs for provider '\(provider)' are kept by its own control plane")
        }
        let now = Date()
        let job = try await insertNew(token: spec.clientRequestToken, owner: owner) { id in
            BatchJob(
                id: id, arn: BatchJobID.arn(region: BatchJobID.region(spec.region), id: id), name: spec.name, modelId: spec.modelId,
                runner: runnerName, roleArn: spec.roleArn, clientRequestToken: spec.clientRequestToken, status: .submitted,
                submitTime: now, lastModifiedTime: now, inputURI: spec.inputURI, outputURI: spec.outputURI, timeoutHours: spec.timeoutHours,
                tags: spec.tags, invocationType: spec.invocationType, runnerState: state, owner: owner)
        }
        return BatchJobView.info(job)
    }

    /// Stores the job `make` builds for a fresh id and wakes the runner. `token`: the create's client request token,
    /// whose earlier job a duplicate answers with.
    func insertNew(token: String?, owner: String?, _ make: (String) -> BatchJob) async throws -> BatchJob {
        for _ in 0..<5 {
            let job = make(BatchJobID.make())
            do {
                try await store.insert(job)
                wakeups.signal()
                return job
            } catch BatchStoreError.duplicate {
                // Either a concurrent create with the same token won (answer with its job), or the id was taken.
                if let token, let winner = try await store.job(clientRequestToken: token) {
                    _ = try Self.sameToken(winner, owner: owner)
                    return winner
                }
            }
        }
        throw GatewayError(.internalError, "could not find a free job id")
    }

    public func job(id: String) async throws -> BatchJobInfo {
        guard let job = try await store.job(id: id), Self.mayRead(job) else { throw Self.notFound(id) }
        return BatchJobView.info(job)
    }

    public func list(_ filter: BatchJobFilter) async throws -> BatchJobPage {
        let query = BatchJobQuery(
            status: filter.status.flatMap(BatchJobStatus.init(rawValue:)), nameContains: filter.nameContains,
            submittedAfter: filter.submittedAfter, submittedBefore: filter.submittedBefore, ascending: filter.ascending,
            offset: filter.offset, limit: filter.maxResults + 1, owner: .owner(CallerScope.current?.keyId))
        let jobs = try await store.list(query)
        let more = jobs.count > filter.maxResults
        return BatchJobPage(jobs: jobs.prefix(filter.maxResults).map(BatchJobView.info), nextOffset: more ? filter.offset + filter.maxResults : nil)
    }

    public func stop(id: String) async throws {
        let caller = CallerScope.current?.keyId
        guard let found = try await store.job(id: id), Self.mayRead(found) else { throw Self.notFound(id) }
        // A keyless job is visible to keys, but only callers without a key may stop it.
        guard found.owner == caller else {
            throw GatewayError(.accessDenied, "The job \(found.arn) was created without a virtual key; only callers without a key may stop it")
        }
        try await markStopping(id: id)
    }

    /// StopModelInvocationJob's transition: records in flight finish, no other starts; a finished job refuses.
    func markStopping(id: String, note: [String: String] = [:]) async throws {
        try await store.update(id: id) { job in
            if job.status.isTerminal {
                throw GatewayError(.validation, "The job \(job.arn) is \(job.status.rawValue) and can no longer be stopped")
            }
            if job.status != .stopping {
                job.status = .stopping
                job.lastModifiedTime = Date()
                job.runnerState.merge(note) { _, new in new }
            }
        }
        wakeups.signal()
    }

    public func forwardsControlPlane(provider: String) -> Bool {
        engine.services(provider).controlPlane != nil
    }

    public func forward(_ call: ControlPlaneCall, provider: String) async throws -> ControlPlaneAnswer {
        guard let forwarder = engine.services(provider).controlPlane, let config = engine.config(provider) else {
            throw GatewayError(.validation, "provider '\(provider)' has no Bedrock control plane")
        }
        // Control-plane calls name no model: any key of the provider will do, even one limited to some models.
        let anyKey = config.keys.first { $0.models.isEmpty && $0.weight > 0 } ?? config.keys.first
        let choice = KeyChoice.balanced(pinned: anyKey?.name)
        // The door's call (`CallScope`): the upstream request is its attempt.
        if let pipelineCall = CallScope.current {
            return try await engine.perform(provider: provider, model: "", key: choice, call: pipelineCall) { target, _ in
                try await forwarder.forward(call, endpoint: config.controlPlaneURL, target: target)
            }
        }
        let target = try engine.target(provider: provider, model: "", key: choice).target
        return try await forwarder.forward(call, endpoint: config.controlPlaneURL, target: target)
    }

    /// The caller's own jobs, and those created without a key.
    static func mayRead(_ job: BatchJob) -> Bool {
        job.owner == nil || job.owner == CallerScope.current?.keyId
    }

    /// A repeated create answers with the job it made; a token another key used is no way to see that key's job.
    static func sameToken(_ earlier: BatchJob, owner: String?) throws -> BatchJobInfo {
        guard earlier.owner == owner else {
            throw GatewayError(.validation, "The clientRequestToken is already used by another job; send a new one")
        }
        return BatchJobView.info(earlier)
    }

    static func notFound(_ id: String) -> GatewayError {
        GatewayError(.notFound, "Could not find a model invocation job with the identifier \(id)")
    }
}
