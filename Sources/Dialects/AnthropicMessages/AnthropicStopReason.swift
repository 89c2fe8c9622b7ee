import SwitchyardModel

/// Stop reasons in Anthropic's words and the canonical ones.
public enum AnthropicStopReason {
    public static func canonical(_ reason: String?) -> StopReason {
        switch reason {
        case "tool_use": .toolUse
        case "max_tokens": .maxTokens
        case "stop_sequence": .stopSequence
        case "refusal": .contentFiltered
        case "model_context_window_exceeded": .contextWindowExceeded
        default: .endTurn
        }
    }

    /// The canonical reason in Anthropic's words, quoted for JSON.
    static func wire(_ reason: StopReason) -> StaticString {
        switch reason {
        case .endTurn, .malformedModelOutput, .malformedToolUse: "\"end_turn\""
        case .toolUse: "\"tool_use\""
        case .maxTokens: "\"max_tokens\""
        case .stopSequence: "\"stop_sequence\""
        case .contentFiltered, .guardrailIntervened: "\"refusal\""
        case .contextWindowExceeded: "\"model_context_window_exceeded\""
        }
    }
}
