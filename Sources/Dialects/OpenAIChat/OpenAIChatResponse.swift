import SwitchyardModel

/// The parts of Chat Completions answers the gateway reads (from a provider, or a batch's output file).
public struct OpenAIUsage: Decodable, Sendable {
    public struct PromptDetails: Decodable, Sendable {
        public var cached_tokens: Int?
    }

    public var prompt_tokens: Int?
    public var completion_tokens: Int?
    public var prompt_tokens_details: PromptDetails?
}

public struct OpenAIToolCall: Decodable, Sendable {
    public struct Function: Decodable, Sendable {
        public var name: String?
        public var arguments: String?
    }

    public var index: Int?
    public var id: String?
    public var function: Function?
}

/// An answer's message, and a stream chunk's delta of one: the same members, whole or in pieces.
public struct OpenAIAssistantMessage: Decodable, Sendable {
    public var content: String?
    /// Servers name the reasoning `reasoning_content` (DeepSeek) or `reasoning` (OpenRouter): either is read.
    public var reasoning_content: String?
    public var reasoning: String?
    public var refusal: String?
    public var tool_calls: [OpenAIToolCall]?
}

public struct OpenAIChatResponse: Decodable, Sendable {
    public typealias Message = OpenAIAssistantMessage

    public struct Choice: Decodable, Sendable {
        public var message: Message
        public var finish_reason: String?
    }

    public var choices: [Choice]
    public var usage: OpenAIUsage?
}

public struct OpenAIChunk: Decodable, Sendable {
    public typealias Delta = OpenAIAssistantMessage

    public struct Choice: Decodable, Sendable {
        public var delta: Delta?
        public var finish_reason: String?
    }

    public struct StreamError: Decodable, Sendable {
        public var message: String?
        public var type: String?
        public var code: String?
    }

    public var choices: [Choice]?
    public var usage: OpenAIUsage?
    public var error: StreamError?
}

extension OpenAIUsage {
    /// OpenAI counts cached prompt tokens inside `prompt_tokens`; the canonical count keeps them apart.
    public var canonical: Usage {
        let cached = prompt_tokens_details?.cached_tokens ?? 0
        return Usage(
            inputTokens: max(0, (prompt_tokens ?? 0) - cached), outputTokens: completion_tokens ?? 0,
            cacheReadTokens: cached)
    }
}

extension OpenAIChatResponse {
    /// The first choice as the canonical answer: reasoning, then text (or the refusal), then tool calls.
    public func canonical(latencyMs: Int) -> ChatResponse {
        var content: [ContentPart] = []
        let choice = choices.first
        if let message = choice?.message {
            if let reasoning = message.reasoning_content ?? message.reasoning, !reasoning.isEmpty {
                content.append(.reasoning(.text(reasoning, signature: nil)))
            }
            if let text = message.content ?? message.refusal, !text.isEmpty {
                content.append(.text(text))
            }
            for (i, call) in (message.tool_calls ?? []).enumerated() {
                content.append(
                    .toolUse(
                        ToolUse(
                            id: call.id ?? "call_\(i)", name: call.function?.name ?? "",
                            input: OpenAIArguments.document(call.function?.arguments ?? ""))))
            }
        }
        return ChatResponse(
            content: content, stopReason: OpenAIStopReason.canonical(choice?.finish_reason), usage: usage?.canonical ?? Usage(),
            latencyMs: latencyMs)
    }
}
