/// A batch as `/v1/batches` shows it.
public struct OpenAIBatchObject: Sendable, Hashable, Encodable {
    public enum Status: String, Sendable, Hashable, Encodable {
        case validating, failed, completed, expired, cancelling, cancelled
        case inProgress = "in_progress"
        case finalizing
    }

    public struct RequestCounts: Sendable, Hashable, Encodable {
        public var total: Int
        public var completed: Int
        public var failed: Int

        public init(total: Int, completed: Int, failed: Int) {
            self.total = total
            self.completed = completed
            self.failed = failed
        }
    }

    /// Why a batch failed as a whole (its input could not be read, its key's budget ran out).
    public struct Failure: Sendable, Hashable, Encodable {
        public var code: String
        public var message: String
        public var param: String?
        public var line: Int?

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    struct Failures: Sendable, Hashable, Encodable {
        var object = "list"
        var data: [Failure]
    }

    public var id: String
    public var object = "batch"
    public var endpoint: String
    public var inputFileId: String
    public var completionWindow: String
    public var status: Status
    public var outputFileId: String?
    public var errorFileId: String?
    public var createdAt: Int
    public var inProgressAt: Int?
    public var expiresAt: Int?
    public var finalizingAt: Int?
    public var completedAt: Int?
    public var failedAt: Int?
    public var expiredAt: Int?
    public var cancellingAt: Int?
    public var cancelledAt: Int?
    public var requestCounts: RequestCounts
    public var metadata: [String: String]?
    var errors: Failures?

    public init(
        id: String, endpoint: String, inputFileId: String, completionWindow: String, status: Status, createdAt: Int,
        requestCounts: RequestCounts
    ) {
        self.id = id
        self.endpoint = endpoint
        self.inputFileId = inputFileId
        self.completionWindow = completionWindow
        self.status = status
        self.createdAt = createdAt
        self.requestCounts = requestCounts
    }

    public var failures: [Failure] {
        get { errors?.data ?? [] }
        set { errors = newValue.isEmpty ? nil : Failures(data: newValue) }
    }

    enum CodingKeys: String, CodingKey {
        case id, object, endpoint, status, metadata, errors
        case inputFileId = "input_file_id"
        case completionWindow = "completion_window"
        case outputFileId = "output_file_id"
        case errorFileId = "error_file_id"
        case createdAt = "created_at"
        case inProgressAt = "in_progress_at"
        case expiresAt = "expires_at"
        case finalizingAt = "finalizing_at"
        case completedAt = "completed_at"
        case failedAt = "failed_at"
        case expiredAt = "expired_at"
        case cancellingAt = "cancelling_at"
        case cancelledAt = "cancelled_at"
        case requestCounts = "request_counts"
    }
}
