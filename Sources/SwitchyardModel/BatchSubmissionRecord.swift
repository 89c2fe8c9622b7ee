/// One request of a batch handed to a provider's own batch API.
public struct BatchSubmissionRecord: Sendable, Hashable {
    /// Unique within the batch; the provider's answer names it again.
    public var customId: String
    public var request: ChatRequest?
    /// The record's body as the provider's own API takes it, when the caller wrote it in that form; sent as it
    /// is (with the job's model) instead of a translation of `request`.
    public var nativeBody: JSONValue?

    public init(customId: String, request: ChatRequest?, nativeBody: JSONValue? = nil) {
        self.customId = customId
        self.request = request
        self.nativeBody = nativeBody
    }
}
