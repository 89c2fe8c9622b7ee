import SwitchyardModel

/// `usageMetadata` of a Gemini answer.
struct GeminiUsage: Decodable, Sendable {
    var promptTokenCount: Int?
    var candidatesTokenCount: Int?
    var cachedContentTokenCount: Int?
    var thoughtsTokenCount: Int?
    var toolUsePromptTokenCount: Int?

    /// Gemini counts cached tokens inside `promptTokenCount` and thoughts apart from `candidatesTokenCount`; the
    /// canonical count keeps cache reads apart from input and bills thinking as output, as Anthropic does.
    var canonical: Usage {
        let cached = cachedContentTokenCount ?? 0
        let prompt = (promptTokenCount ?? 0) + (toolUsePromptTokenCount ?? 0)
        return Usage(
            inputTokens: max(0, prompt - cached),
            outputTokens: (candidatesTokenCount ?? 0) + (thoughtsTokenCount ?? 0),
            cacheReadTokens: cached)
    }
}
