/// A whole batch for a provider's own batch API.
public struct BatchSubmission: Sendable, Hashable {
    /// Shown in the provider's console.
    public var displayName: String
    public var records: [BatchSubmissionRecord]
    /// A file already in the provider's store that holds the requests (OpenAI), used instead of `records`.
    public var inputFileId: String?
    /// The provider endpoint each request goes to, where the API asks (OpenAI: `/v1/chat/completions`).
    public var endpoint: String?
    /// Labels the provider keeps with the batch.
    public var metadata: [String: String]

    public init(
        displayName: String, records: [BatchSubmissionRecord], inputFileId: String? = nil, endpoint: String? = nil,
        metadata: [String: String] = [:]
    ) {
        self.displayName = displayName
        self.records = records
        self.inputFileId = inputFileId
        self.endpoint = endpoint
        self.metadata = metadata
    }
}
