import SwitchyardModel

/// The parts of Messages API answers and stream events the gateway reads.
struct AnthropicUsage: Decodable, Sendable {
    var input_tokens: Int?
    var output_tokens: Int?
    var cache_read_input_tokens: Int?
    var cache_creation_input_tokens: Int?
}

struct AnthropicBlock: Decodable, Sendable {
    var type: String
    var text: String?
    var id: String?
    var name: String?
    var input: JSONValue?
    var thinking: String?
    var signature: String?
    var data: String?
}

struct AnthropicMessage: Decodable, Sendable {
    var content: [AnthropicBlock]
    var stop_reason: String?
    var stop_sequence: String?
    var usage: AnthropicUsage?
}

struct AnthropicStreamEvent: Decodable, Sendable {
    struct Delta: Decodable, Sendable {
        var type: String?
        var text: String?
        var partial_json: String?
        var thinking: String?
        var signature: String?
        var stop_reason: String?
        var stop_sequence: String?
    }

    struct Start: Decodable, Sendable {
        var usage: AnthropicUsage?
    }

    struct Failure: Decodable, Sendable {
        var type: String?
        var message: String?
    }

    var type: String
    var index: Int?
    var message: Start?
    var content_block: AnthropicBlock?
    var delta: Delta?
    var usage: AnthropicUsage?
    var error: Failure?
}

enum AnthropicStopReason {
    static func canonical(_ reason: String?) -> StopReason {
        switch reason {
        case "tool_use": .toolUse
        case "max_tokens": .maxTokens
        case "stop_sequence": .stopSequence
        case "refusal": .contentFiltered
        case "model_context_window_exceeded": .contextWindowExceeded
        default: .endTurn
        }
    }
}

extension Usage {
    /// Anthropic already counts cache reads and writes apart from `input_tokens`.
    mutating func merge(_ usage: AnthropicUsage) {
        if let v = usage.input_tokens { inputTokens = v }
        if let v = usage.output_tokens { outputTokens = v }
        if let v = usage.cache_read_input_tokens { cacheReadTokens = v }
        if let v = usage.cache_creation_input_tokens { cacheWriteTokens = v }
    }
}
