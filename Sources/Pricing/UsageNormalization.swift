import SwitchyardModel

/// Providers count cached prompt tokens differently; the canonical `Usage` (and so the cost formula) wants
/// `inputTokens` without them. These turn each provider's own numbers into it.
extension Usage {
    /// OpenAI Chat Completions: `prompt_tokens` includes `prompt_tokens_details.cached_tokens`.
    public static func openAI(promptTokens: Int, cachedTokens: Int, completionTokens: Int) -> Usage {
        Usage(
            inputTokens: max(0, promptTokens - cachedTokens), outputTokens: completionTokens, cacheReadTokens: cachedTokens)
    }

    /// Anthropic Messages: `input_tokens` already excludes `cache_read_input_tokens` and
    /// `cache_creation_input_tokens`.
    public static func anthropic(
        inputTokens: Int, cacheReadInputTokens: Int, cacheCreationInputTokens: Int, outputTokens: Int
    ) -> Usage {
        Usage(
            inputTokens: inputTokens, outputTokens: outputTokens, cacheReadTokens: cacheReadInputTokens,
            cacheWriteTokens: cacheCreationInputTokens)
    }

    /// Gemini: `promptTokenCount` includes `cachedContentTokenCount`; thinking tokens are billed as output.
    public static func gemini(
        promptTokenCount: Int, cachedContentTokenCount: Int, candidatesTokenCount: Int, thoughtsTokenCount: Int
    ) -> Usage {
        Usage(
            inputTokens: max(0, promptTokenCount - cachedContentTokenCount),
            outputTokens: candidatesTokenCount + thoughtsTokenCount, cacheReadTokens: cachedContentTokenCount)
    }

    /// Bedrock Converse: `inputTokens` excludes `cacheReadInputTokens` and `cacheWriteInputTokens`.
    public static func bedrockConverse(
        inputTokens: Int, outputTokens: Int, cacheReadInputTokens: Int, cacheWriteInputTokens: Int
    ) -> Usage {
        Usage(
            inputTokens: inputTokens, outputTokens: outputTokens, cacheReadTokens: cacheReadInputTokens,
            cacheWriteTokens: cacheWriteInputTokens)
    }
}
