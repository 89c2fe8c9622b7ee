/// What the OpenAI and Anthropic doors' batch APIs ask of the batch system. A door reads and validates its own
/// wire format and shows the batch in it; the desk keeps the batch as a job of the gateway's runner, so its records
/// run through the engine like any call. A batch is the creating virtual key's (`CallerScope.current`): another
/// key's lookups find nothing (`GatewayError.Kind.notFound`), and each door sees only the batches made through it.
public protocol DoorBatchDesk: Sendable {
    func createBatch(_ create: DoorBatchCreate) async throws -> DoorBatch
    /// `id` is the desk's id (`DoorBatch.id`), without the door's prefix.
    func batch(id: String, dialect: DoorBatchDialect) async throws -> DoorBatch
    /// The caller's batches of `dialect`, newest first.
    func batches(dialect: DoorBatchDialect) async throws -> [DoorBatch]
    /// Records in flight finish, no other starts; a batch already ended is refused (`.validation`).
    func cancelBatch(id: String, dialect: DoorBatchDialect) async throws -> DoorBatch
    /// Only an ended batch may be deleted (`.validation` otherwise); afterwards it is not found.
    func deleteBatch(id: String, dialect: DoorBatchDialect) async throws
    /// An ended batch's results as the runner wrote them for the door (JSONL in its dialect); `.validation` while
    /// the batch is still running.
    func batchResults(id: String, dialect: DoorBatchDialect) async throws -> [UInt8]
}

/// The door a batch was made through; it decides the form of the batch's records and results.
public enum DoorBatchDialect: String, Sendable, Hashable {
    /// `/v1/batches`: records are OpenAI batch lines in a `/v1/files` file, results go to two more files.
    case openai
    /// `/anthropic/v1/messages/batches`: records come inline, results are one JSONL document.
    case anthropic
}

/// A batch to create.
public struct DoorBatchCreate: Sendable, Hashable {
    public enum Input: Sendable, Hashable {
        /// A file of JSONL records in the gateway's own store (`s3://bucket/key`).
        case file(uri: String)
        /// Requests given in the create call itself, already validated by the door.
        case requests([DoorBatchRequest])
    }

    public var dialect: DoorBatchDialect
    public var input: Input
    public var timeoutHours: Int
    /// What the door wants shown with the batch later (an endpoint, metadata); given back as `DoorBatch.notes`.
    public var notes: [String: String]

    public init(dialect: DoorBatchDialect, input: Input, timeoutHours: Int, notes: [String: String] = [:]) {
        self.dialect = dialect
        self.input = input
        self.timeoutHours = timeoutHours
        self.notes = notes
    }
}

/// One inline request: the caller's id for it and the request body in the door's dialect.
public struct DoorBatchRequest: Sendable, Hashable {
    public var customId: String
    public var params: JSONValue

    public init(customId: String, params: JSONValue) {
        self.customId = customId
        self.params = params
    }
}
