import SwitchyardModel

/// Canonical answers as a Gemini GenerateContentResponse, for records written in Gemini's batch form.
enum GeminiRecordEncoder {
    static func response(_ response: ChatResponse, model: String) -> JSONValue {
        var parts: [JSONValue] = []
        for part in response.content {
            switch part {
            case .text(let text): parts.append(["text": .string(text)])
            case .reasoning(.text(let text, let signature)):
                var thought: [String: JSONValue] = ["text": .string(text), "thought": true]
                if let signature { thought["thoughtSignature"] = .string(signature) }
                parts.append(.object(thought))
            case .toolUse(let use): parts.append(["functionCall": ["name": .string(use.name), "args": use.input]])
            default: continue
            }
        }
        let usage = response.usage
        let prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens
        var metadata: [String: JSONValue] = [
            "promptTokenCount": .number(Double(prompt)), "candidatesTokenCount": .number(Double(usage.outputTokens)),
            "totalTokenCount": .number(Double(prompt + usage.outputTokens)),
        ]
        if usage.cacheReadTokens > 0 { metadata["cachedContentTokenCount"] = .number(Double(usage.cacheReadTokens)) }
        return [
            "candidates": [["content": ["role": "model", "parts": .array(parts)], "finishReason": .string(finishReason(response.stopReason)), "index": 0]],
            "usageMetadata": .object(metadata),
            "modelVersion": .string(model),
        ]
    }

    static func finishReason(_ reason: StopReason) -> String {
        switch reason {
        case .maxTokens, .contextWindowExceeded: "MAX_TOKENS"
        case .contentFiltered, .guardrailIntervened: "SAFETY"
        case .malformedToolUse: "MALFORMED_FUNCTION_CALL"
        default: "STOP"
        }
    }
}
