import SwitchyardModel

enum GeminiStopReason {
    /// Gemini says STOP for a turn that ends in function calls too, so the caller tells whether it saw one.
    static func canonical(_ finishReason: String?, sawFunctionCall: Bool) -> StopReason {
        switch finishReason {
        case "MAX_TOKENS": .maxTokens
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT",
            "IMAGE_RECITATION", "PROMPT_BLOCKED":
            .contentFiltered
        case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL": .malformedToolUse
        default: sawFunctionCall ? .toolUse : .endTurn
        }
    }
}
