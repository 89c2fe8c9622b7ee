import Foundation
import SwitchyardModel

/// The parts of Messages API answers the gateway reads.
public struct AnthropicUsage: Decodable, Sendable, Hashable {
    public var input_tokens: Int?
    public var output_tokens: Int?
    public var cache_read_input_tokens: Int?
    public var cache_creation_input_tokens: Int?
}

public struct AnthropicAnswerBlock: Decodable, Sendable {
    public var type: String
    public var text: String?
    public var id: String?
    public var name: String?
    public var input: JSONValue?
    public var thinking: String?
    public var signature: String?
    public var data: String?
}

/// A `message` object: a non-streaming answer, or a batch result's.
public struct AnthropicAnswer: Decodable, Sendable {
    public var content: [AnthropicAnswerBlock]
    public var stop_reason: String?
    public var stop_sequence: String?
    public var usage: AnthropicUsage?

    public func canonical(latencyMs: Int) -> ChatResponse {
        var parts: [ContentPart] = []
        for block in content {
            switch block.type {
            case "text": parts.append(.text(block.text ?? ""))
            case "tool_use", "server_tool_use":
                parts.append(.toolUse(ToolUse(id: block.id ?? "", name: block.name ?? "", input: block.input ?? .object([:]))))
            case "thinking": parts.append(.reasoning(.text(block.thinking ?? "", signature: block.signature)))
            case "redacted_thinking": parts.append(.reasoning(.redacted(Data((block.data ?? "").utf8))))
            default: continue
            }
        }
        var total = Usage()
        if let usage { total.merge(usage) }
        return ChatResponse(content: parts, stopReason: AnthropicStopReason.canonical(stop_reason), usage: total, latencyMs: latencyMs)
    }
}

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

extension Usage {
    /// Anthropic already counts cache reads and writes apart from `input_tokens`.
    public mutating func merge(_ usage: AnthropicUsage) {
        if let v = usage.input_tokens { inputTokens = v }
        if let v = usage.output_tokens { outputTokens = v }
        if let v = usage.cache_read_input_tokens { cacheReadTokens = v }
        if let v = usage.cache_creation_input_tokens { cacheWriteTokens = v }
    }
}
