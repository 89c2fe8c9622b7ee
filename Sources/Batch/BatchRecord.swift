import SwitchyardModel

/// One line of a job's input.
public struct BatchRecord: Sendable, Hashable {
    /// Position among all the job's records (0-based); the key of its stored result.
    public var index: Int
    /// Which input file it came from (position in the sorted file list).
    public var file: Int
    public var recordId: String
    public var form: BatchRecordForm
    /// What the caller asked: `modelInput`, `body` or `request`, as written.
    public var modelInput: JSONValue
    /// OpenAI lines name their endpoint (`/v1/chat/completions`, `/v1/embeddings`).
    public var url: String?
    /// Set when the line could not be read; the record then fails on its own without failing the job.
    public var problem: String?

    public init(
        index: Int, file: Int = 0, recordId: String, form: BatchRecordForm, modelInput: JSONValue, url: String? = nil,
        problem: String? = nil
    ) {
        self.index = index
        self.file = file
        self.recordId = recordId
        self.form = form
        self.modelInput = modelInput
        self.url = url
        self.problem = problem
    }
}
