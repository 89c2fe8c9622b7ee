/// The provider's answer to one request of a batch.
public struct BatchRemoteOutcome: Sendable, Hashable {
    public enum Result: Sendable, Hashable {
        /// `native` is the answer body as the provider's own API writes it; `response` the same in the canonical
        /// model, when it is a chat answer.
        case success(native: JSONValue, response: ChatResponse?)
        /// `code` is an HTTP-like status.
        case failure(code: Int, message: String)
    }

    public var customId: String
    public var result: Result

    public init(customId: String, result: Result) {
        self.customId = customId
        self.result = result
    }
}
