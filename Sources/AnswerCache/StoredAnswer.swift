import Foundation
import SwitchyardModel

/// An answer in the form the store keeps: JSON of the parts an answer can hold (text, tool calls, reasoning). An
/// answer with any other part is not stored; it would not come back the same.
struct StoredAnswer: Codable {
    struct Part: Codable {
        var text: String?
        var toolId: String?
        var toolName: String?
        var toolInput: JSONValue?
        var reasoning: String?
        var signature: String?
        var redacted: Data?
    }

    var parts: [Part]
    var stopReason: String
    var inputTokens: Int
    var outputTokens: Int
    var cacheReadTokens: Int
    var cacheWriteTokens: Int
    var latencyMs: Int
    var additionalFields: [String: JSONValue]?

    init?(_ answer: ChatResponse) {
        var parts: [Part] = []
        for content in answer.content {
            switch content {
            case .text(let text): parts.append(Part(text: text))
            case .toolUse(let use): parts.append(Part(toolId: use.id, toolName: use.name, toolInput: use.input))
            case .reasoning(.text(let text, let signature)): parts.append(Part(reasoning: text, signature: signature))
            case .reasoning(.redacted(let data)): parts.append(Part(redacted: data))
            default: return nil
            }
        }
        self.parts = parts
        stopReason = Self.name(answer.stopReason)
        inputTokens = answer.usage.inputTokens
        outputTokens = answer.usage.outputTokens
        cacheReadTokens = answer.usage.cacheReadTokens
        cacheWriteTokens = answer.usage.cacheWriteTokens
        latencyMs = answer.latencyMs
        additionalFields = answer.additionalFields.isEmpty ? nil : answer.additionalFields
    }

    var answer: ChatResponse? {
        guard let stop = Self.reasons[stopReason] else { return nil }
        var content: [ContentPart] = []
        for part in parts {
            if let text = part.text {
                content.append(.text(text))
            } else if let id = part.toolId, let name = part.toolName {
                content.append(.toolUse(ToolUse(id: id, name: name, input: part.toolInput ?? .object([:]))))
            } else if let reasoning = part.reasoning {
                content.append(.reasoning(.text(reasoning, signature: part.signature)))
            } else if let redacted = part.redacted {
                content.append(.reasoning(.redacted(redacted)))
            } else {
                return nil
            }
        }
        return ChatResponse(
            content: content, stopReason: stop,
            usage: Usage(inputTokens: inputTokens, outputTokens: outputTokens, cacheReadTokens: cacheReadTokens, cacheWriteTokens: cacheWriteTokens),
            latencyMs: latencyMs, additionalFields: additionalFields ?? [:])
    }

    func encoded() -> Data? {
        try? JSONEncoder().encode(self)
    }

    static func decode(_ data: Data) -> ChatResponse? {
        (try? JSONDecoder().decode(StoredAnswer.self, from: data))?.answer
    }

    static let reasons: [String: StopReason] = [
        "end_turn": .endTurn, "tool_use": .toolUse, "max_tokens": .maxTokens, "stop_sequence": .stopSequence,
        "guardrail_intervened": .guardrailIntervened, "content_filtered": .contentFiltered,
        "malformed_model_output": .malformedModelOutput, "malformed_tool_use": .malformedToolUse,
        "model_context_window_exceeded": .contextWindowExceeded,
    ]

    static func name(_ reason: StopReason) -> String {
        reasons.first { $0.value == reason }?.key ?? "end_turn"
    }
}
