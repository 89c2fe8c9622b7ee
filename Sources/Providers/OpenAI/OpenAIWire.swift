import SwitchyardModel

/// The parts of Chat Completions answers the gateway reads.
struct OpenAIUsage: Decodable, Sendable {
    struct PromptDetails: Decodable, Sendable {
        var cached_tokens: Int?
    }

    var prompt_tokens: Int?
    var completion_tokens: Int?
    var prompt_tokens_details: PromptDetails?
}

struct OpenAIToolCall: Decodable, Sendable {
    struct Function: Decodable, Sendable {
        var name: String?
        var arguments: String?
    }

    var index: Int?
    var id: String?
    var function: Function?
}

struct OpenAIChatResponse: Decodable, Sendable {
    struct Message: Decodable, Sendable {
        var content: String?
        var reasoning_content: String?
        var reasoning: String?
        var refusal: String?
        var tool_calls: [OpenAIToolCall]?
    }

    struct Choice: Decodable, Sendable {
        var message: Message
        var finish_reason: String?
    }

    var choices: [Choice]
    var usage: OpenAIUsage?
}

struct OpenAIChunk: Decodable, Sendable {
    struct Delta: Decodable, Sendable {
        var content: String?
        var reasoning_content: String?
        var reasoning: String?
        var refusal: String?
        var tool_calls: [OpenAIToolCall]?
    }

    struct Choice: Decodable, Sendable {
        var delta: Delta?
        var finish_reason: String?
    }

    struct StreamError: Decodable, Sendable {
        var message: String?
        var type: String?
        var code: String?
    }

    var choices: [Choice]?
    var usage: OpenAIUsage?
    var error: StreamError?
}

extension OpenAIUsage {
    /// OpenAI counts cached prompt tokens inside `prompt_tokens`; the canonical count keeps them apart.
    var canonical: Usage {
        let cached = prompt_tokens_details?.cached_tokens ?? 0
        return Usage(
            inputTokens: max(0, (prompt_tokens ?? 0) - cached), outputTokens: completion_tokens ?? 0,
            cacheReadTokens: cached)
    }
}
