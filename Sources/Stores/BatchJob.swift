import Foundation

/// The statuses Bedrock's API defines; nothing else is ever shown.
public enum BatchJobStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case submitted = "Submitted"
    case validating = "Validating"
    case scheduled = "Scheduled"
    case inProgress = "InProgress"
    case completed = "Completed"
    case partiallyCompleted = "PartiallyCompleted"
    case failed = "Failed"
    case stopping = "Stopping"
    case stopped = "Stopped"
    case expired = "Expired"

    public var isTerminal: Bool {
        switch self {
        case .completed, .partiallyCompleted, .failed, .stopped, .expired: true
        default: false
        }
    }
}

public struct BatchStatistics: Sendable, Hashable, Codable {
    public var totalRecordCount: Int
    public var processedRecordCount: Int
    public var successRecordCount: Int
    public var errorRecordCount: Int
    public var inputTokenCount: Int
    public var outputTokenCount: Int

    public init(
        totalRecordCount: Int = 0, processedRecordCount: Int = 0, successRecordCount: Int = 0, errorRecordCount: Int = 0,
        inputTokenCount: Int = 0, outputTokenCount: Int = 0
    ) {
        self.totalRecordCount = totalRecordCount
        self.processedRecordCount = processedRecordCount
        self.successRecordCount = successRecordCount
        self.errorRecordCount = errorRecordCount
        self.inputTokenCount = inputTokenCount
        self.outputTokenCount = outputTokenCount
    }
}

/// A model invocation job as the gateway keeps it.
public struct BatchJob: Sendable, Hashable, Codable {
    /// 12 lower-case letters and digits; the end of the ARN.
    public var id: String
    public var arn: String
    public var name: String
    public var modelId: String
    /// Who runs it: `gateway`, or the provider whose batch API does.
    public var runner: String
    public var roleArn: String
    public var clientRequestToken: String?
    public var status: BatchJobStatus
    public var message: String?
    public var submitTime: Date
    public var lastModifiedTime: Date
    public var endTime: Date?
    public var inputURI: String
    public var outputURI: String
    public var timeoutHours: Int?
    public var tags: [String: String]
    public var invocationType: String?
    public var statistics: BatchStatistics
    /// The provider's own job id, once submitted.
    public var providerJobId: String?
    /// Whatever else the runner must remember across restarts (file ids, cursors).
    public var runnerState: [String: String]
    /// The virtual key (id) that created it, whose rules and budgets its records run under; nil without a key.
    public var owner: String?

    public init(
        id: String, arn: String, name: String, modelId: String, runner: String, roleArn: String,
        clientRequestToken: String?, status: BatchJobStatus, message: String? = nil, submitTime: Date,
        lastModifiedTime: Date, endTime: Date? = nil, inputURI: String, outputURI: String, timeoutHours: Int?,
        tags: [String: String], invocationType: String?, statistics: BatchStatistics = BatchStatistics(),
        providerJobId: String? = nil, runnerState: [String: String] = [:], owner: String? = nil
    ) {
        self.id = id
        self.arn = arn
        self.name = name
        self.modelId = modelId
        self.runner = runner
        self.roleArn = roleArn
        self.clientRequestToken = clientRequestToken
        self.status = status
        self.message = message
        self.submitTime = submitTime
        self.lastModifiedTime = lastModifiedTime
        self.endTime = endTime
        self.inputURI = inputURI
        self.outputURI = outputURI
        self.timeoutHours = timeoutHours
        self.tags = tags
        self.invocationType = invocationType
        self.statistics = statistics
        self.providerJobId = providerJobId
        self.runnerState = runnerState
        self.owner = owner
    }
}

public struct BatchJobQuery: Sendable, Hashable {
    public var status: BatchJobStatus?
    public var nameContains: String?
    public var submittedAfter: Date?
    public var submittedBefore: Date?
    public var ascending: Bool
    public var offset: Int
    public var limit: Int
    public var owner: OwnerScope

    public init(
        status: BatchJobStatus? = nil, nameContains: String? = nil, submittedAfter: Date? = nil, submittedBefore: Date? = nil,
        ascending: Bool = false, offset: Int = 0, limit: Int = 1000, owner: OwnerScope = .everyone
    ) {
        self.status = status
        self.nameContains = nameContains
        self.submittedAfter = submittedAfter
        self.submittedBefore = submittedBefore
        self.ascending = ascending
        self.offset = offset
        self.limit = limit
        self.owner = owner
    }
}

/// One finished record of a job the gateway runs itself: its output line, kept so a restart neither loses nor repeats it.
public struct BatchRecordResult: Sendable, Hashable {
    /// The record's position in the input (0-based), unique within the job.
    public var index: Int
    /// The Bedrock-form output line (`recordId`, `modelInput`, `modelOutput` or `error`).
    public var line: String
    public var succeeded: Bool
    public var inputTokens: Int
    public var outputTokens: Int

    public init(index: Int, line: String, succeeded: Bool, inputTokens: Int = 0, outputTokens: Int = 0) {
        self.index = index
        self.line = line
        self.succeeded = succeeded
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

public protocol BatchJobStore: Sendable {
    /// Fails with `BatchStoreError.duplicate` when the id or the client request token is taken.
    func insert(_ job: BatchJob) async throws
    func job(id: String) async throws -> BatchJob?
    func job(clientRequestToken: String) async throws -> BatchJob?
    /// Sorted by submit time (descending unless `ascending`), then id.
    func list(_ query: BatchJobQuery) async throws -> [BatchJob]
    /// Reads, changes and writes the job in one transaction; returns the job as written.
    @discardableResult func update(id: String, _ change: @Sendable (inout BatchJob) throws -> Void) async throws -> BatchJob
    /// Jobs not yet in a terminal status, oldest first.
    func unfinished() async throws -> [BatchJob]
    /// Stores a record's result and adds it to the job's statistics in one transaction. False (and nothing changed)
    /// when that record already has a result.
    func addResult(jobId: String, _ result: BatchRecordResult) async throws -> Bool
    func results(jobId: String) async throws -> [BatchRecordResult]
    func finishedIndexes(jobId: String) async throws -> Set<Int>
    /// The unfinished jobs this gateway may run now, oldest first, each leased to `holder` until `until`: on a store
    /// several gateways share, those no other live gateway holds; on a store only this gateway uses, every one.
    func claimUnfinished(holder: String, until: Date, now: Date) async throws -> [BatchJob]
    /// Moves the leases `holder` still holds on to `until`; the ids of those it lost (another gateway took them).
    func renewLeases(holder: String, jobIds: [String], until: Date) async throws -> Set<String>
    func releaseLease(jobId: String, holder: String) async throws
}

extension BatchJobStore {
    /// One gateway per store: nothing to share, so every unfinished job is this gateway's.
    public func claimUnfinished(holder: String, until: Date, now: Date) async throws -> [BatchJob] { try await unfinished() }
    public func renewLeases(holder: String, jobIds: [String], until: Date) async throws -> Set<String> { [] }
    public func releaseLease(jobId: String, holder: String) async throws {}
}

public enum BatchStoreError: Error, Sendable, Hashable {
    case duplicate(String)
    case notFound(String)
}
