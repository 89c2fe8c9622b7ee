import Foundation
import SwitchyardModel

/// The parts of Converse answers and stream events the gateway reads.
struct BedrockUsage: Decodable, Sendable {
    var inputTokens: Int?
    var outputTokens: Int?
    var cacheReadInputTokens: Int?
    var cacheWriteInputTokens: Int?

    var canonical: Usage {
        Usage(
            inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0, cacheReadTokens: cacheReadInputTokens ?? 0,
            cacheWriteTokens: cacheWriteInputTokens ?? 0)
    }
}

struct BedrockReasoning: Decodable, Sendable {
    struct Text: Decodable, Sendable {
        var text: String?
        var signature: String?
    }

    var reasoningText: Text?
    var redactedContent: String?
}

struct BedrockBlock: Decodable, Sendable {
    struct ToolUse: Decodable, Sendable {
        var toolUseId: String
        var name: String
        var input: JSONValue?
    }

    var text: String?
    var toolUse: ToolUse?
    var reasoningContent: BedrockReasoning?
}

struct BedrockConverseAnswer: Decodable, Sendable {
    struct Output: Decodable, Sendable {
        struct Message: Decodable, Sendable {
            var content: [BedrockBlock]
        }

        var message: Message?
    }

    struct Metrics: Decodable, Sendable {
        var latencyMs: Int?
    }

    var output: Output
    var stopReason: String?
    var usage: BedrockUsage?
    var metrics: Metrics?

    func canonical(latencyMs: Int) -> ChatResponse {
        var content: [ContentPart] = []
        for block in output.message?.content ?? [] {
            if let text = block.text { content.append(.text(text)) }
            if let use = block.toolUse { content.append(.toolUse(ToolUse(id: use.toolUseId, name: use.name, input: use.input ?? .object([:])))) }
            if let reasoning = block.reasoningContent {
                if let text = reasoning.reasoningText {
                    content.append(.reasoning(.text(text.text ?? "", signature: text.signature)))
                } else if let redacted = reasoning.redactedContent, let data = Data(base64Encoded: redacted) {
                    content.append(.reasoning(.redacted(data)))
                }
            }
        }
        return ChatResponse(
            content: content, stopReason: BedrockStopReason.canonical(stopReason), usage: usage?.canonical ?? Usage(),
            latencyMs: metrics?.latencyMs ?? latencyMs)
    }
}

enum BedrockStopReason {
    static func canonical(_ reason: String?) -> StopReason {
        switch reason {
        case "tool_use": .toolUse
        case "max_tokens": .maxTokens
        case "stop_sequence": .stopSequence
        case "guardrail_intervened": .guardrailIntervened
        case "content_filtered": .contentFiltered
        case "malformed_model_output": .malformedModelOutput
        case "malformed_tool_use": .malformedToolUse
        case "model_context_window_exceeded": .contextWindowExceeded
        default: .endTurn
        }
    }
}
