import SwitchyardModel

/// An answer's token counts, as Messages answers and stream events carry them.
public struct AnthropicUsage: Decodable, Sendable, Hashable {
    public var input_tokens: Int?
    public var output_tokens: Int?
    public var cache_read_input_tokens: Int?
    public var cache_creation_input_tokens: Int?
}

extension Usage {
    /// Anthropic already counts cache reads and writes apart from `input_tokens`.
    public mutating func merge(_ usage: AnthropicUsage) {
        if let v = usage.input_tokens { inputTokens = v }
        if let v = usage.output_tokens { outputTokens = v }
        if let v = usage.cache_read_input_tokens { cacheReadTokens = v }
        if let v = usage.cache_creation_input_tokens { cacheWriteTokens = v }
    }
}
