import SwitchyardModel

public enum OpenAIStopReason {
    public static func canonical(_ finishReason: String?) -> StopReason {
        switch finishReason {
        case "tool_calls", "function_call": .toolUse
        case "length": .maxTokens
        case "content_filter": .contentFiltered
        default: .endTurn
        }
    }
}
