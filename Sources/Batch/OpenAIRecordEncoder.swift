import Foundation
import SwitchyardModel

/// Canonical answers as the OpenAI API writes them (`chat.completion`, embeddings `list`), for records written in
/// OpenAI's batch form.
enum OpenAIRecordEncoder {
    static func chat(_ response: ChatResponse, model: String, recordId: String) -> JSONValue {
        var text = ""
        var reasoning = ""
        var calls: [JSONValue] = []
        for part in response.content {
            switch part {
            case .text(let t): text += t
            case .reasoning(.text(let t, _)): reasoning += t
            case .toolUse(let use):
                calls.append([
                    "id": .string(use.id), "type": "function",
                    "function": ["name": .string(use.name), "arguments": .string(BatchJSON.text(use.input))],
                ])
            default: continue
            }
        }
        var message: [String: JSONValue] = ["role": "assistant", "content": text.isEmpty && !calls.isEmpty ? .null : .string(text)]
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        if !reasoning.isEmpty { message["reasoning_content"] = .string(reasoning) }
        let usage = response.usage
        let prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens
        var usageObject: [String: JSONValue] = [
            "prompt_tokens": .number(Double(prompt)), "completion_tokens": .number(Double(usage.outputTokens)),
            "total_tokens": .number(Double(prompt + usage.outputTokens)),
        ]
        if usage.cacheReadTokens > 0 { usageObject["prompt_tokens_details"] = ["cached_tokens": .number(Double(usage.cacheReadTokens))] }
        return [
            "id": .string("chatcmpl-\(recordId)"), "object": "chat.completion", "created": .number(Date().timeIntervalSince1970.rounded(.down)),
            "model": .string(model),
            "choices": [["index": 0, "message": .object(message), "finish_reason": .string(finishReason(response.stopReason)), "logprobs": .null]],
            "usage": .object(usageObject),
        ]
    }

    static func finishReason(_ reason: StopReason) -> String {
        switch reason {
        case .toolUse: "tool_calls"
        case .maxTokens, .contextWindowExceeded: "length"
        case .contentFiltered, .guardrailIntervened: "content_filter"
        default: "stop"
        }
    }

    static func embeddings(_ response: EmbeddingResponse, model: String) -> JSONValue {
        let data: [JSONValue] = response.vectors.enumerated().map { i, vector in
            ["object": "embedding", "index": .number(Double(i)), "embedding": .array(vector.map { .number($0) })]
        }
        let tokens = JSONValue.number(Double(response.inputTokens))
        return ["object": "list", "data": .array(data), "model": .string(model), "usage": ["prompt_tokens": tokens, "total_tokens": tokens]]
    }
}
