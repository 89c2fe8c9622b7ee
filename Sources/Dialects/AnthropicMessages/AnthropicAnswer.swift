import Foundation
import SwitchyardModel

/// One content block of an answer, as far as the gateway reads it.
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
