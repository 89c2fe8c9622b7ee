public enum StopReason: Sendable, Hashable {
    case endTurn
    case toolUse
    case maxTokens
    case stopSequence
    case guardrailIntervened
    case contentFiltered
    case malformedModelOutput
    case malformedToolUse
    case contextWindowExceeded
}

public struct Usage: Sendable, Hashable {
    /// Input tokens that were neither read from nor written to a prompt cache.
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheReadTokens: Int
    public var cacheWriteTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cacheReadTokens: Int = 0, cacheWriteTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
    }

    public var totalTokens: Int { inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens }
}

public struct ChatResponse: Sendable, Hashable {
    public var content: [ContentPart]
    public var stopReason: StopReason
    public var usage: Usage
    public var latencyMs: Int
    /// The provider's own name for the stop condition (e.g. the stop sequence that fired), when it has one.
    public var additionalFields: [String: JSONValue]

    public init(
        content: [ContentPart], stopReason: StopReason, usage: Usage, latencyMs: Int,
        additionalFields: [String: JSONValue] = [:]
    ) {
        self.content = content
        self.stopReason = stopReason
        self.usage = usage
        self.latencyMs = latencyMs
        self.additionalFields = additionalFields
    }
}
