import Foundation
import SwitchyardModel

/// One ConverseStream event payload; the event name travels in the frame's `:event-type` header.
struct BedrockStreamEvent: Decodable, Sendable {
    struct Start: Decodable, Sendable {
        struct ToolUse: Decodable, Sendable {
            var toolUseId: String
            var name: String
        }

        var toolUse: ToolUse?
    }

    struct Delta: Decodable, Sendable {
        struct ToolUse: Decodable, Sendable {
            var input: String?
        }

        struct Reasoning: Decodable, Sendable {
            var text: String?
            var signature: String?
            var redactedContent: String?
        }

        var text: String?
        var toolUse: ToolUse?
        var reasoningContent: Reasoning?
    }

    struct Metrics: Decodable, Sendable {
        var latencyMs: Int?
    }

    var contentBlockIndex: Int?
    var start: Start?
    var delta: Delta?
    var stopReason: String?
    var usage: BedrockUsage?
    var metrics: Metrics?
    var message: String?
}
