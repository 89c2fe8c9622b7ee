import NIOCore
import SwitchyardModel

/// Anthropic Messages answers: `{"id", "type": "message", "role", "model", "content", "stop_reason",
/// "stop_sequence", "usage"}`, whichever provider produced the canonical answer.
enum InvokeAnthropicResponseWriter {
    static func write(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer) {
        writeHead(modelId: modelId, into: &b)
        b.writeStaticString(",\"content\":[")
        var first = true
        for part in response.content {
            let mark = b.writerIndex
            if !first { b.writeStaticString(",") }
            if writeBlock(part, into: &b) {
                first = false
            } else {
                b.moveWriterIndex(to: mark)
            }
        }
        b.writeStaticString("],\"stop_reason\":")
        b.writeStaticString(stopReason(response.stopReason))
        b.writeStaticString(",\"stop_sequence\":")
        if let sequence = response.additionalFields["stop_sequence"]?.stringValue {
            b.writeJSONString(sequence)
        } else {
            b.writeStaticString("null")
        }
        b.writeStaticString(",\"usage\":")
        writeUsage(response.usage, into: &b)
        b.writeStaticString("}")
    }

    /// `{"id":…,"type":"message","role":"assistant","model":…` with the object left open.
    static func writeHead(modelId: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"id\":")
        b.writeJSONString(messageId())
        b.writeStaticString(",\"type\":\"message\",\"role\":\"assistant\",\"model\":")
        b.writeJSONString(modelId)
    }

    /// Writes one answer block; false (having written nothing useful) for parts an answer cannot hold.
    private static func writeBlock(_ part: ContentPart, into b: inout ByteBuffer) -> Bool {
        switch part {
        case .text(let text):
            b.writeStaticString("{\"type\":\"text\",\"text\":")
            b.writeJSONString(text)
            b.writeStaticString("}")
        case .toolUse(let use):
            b.writeStaticString("{\"type\":\"tool_use\",\"id\":")
            b.writeJSONString(use.id)
            b.writeStaticString(",\"name\":")
            b.writeJSONString(use.name)
            b.writeStaticString(",\"input\":")
            ConverseJSONWriter.writeValue(use.input, into: &b)
            b.writeStaticString("}")
        case .reasoning(.text(let text, let signature)):
            b.writeStaticString("{\"type\":\"thinking\",\"thinking\":")
            b.writeJSONString(text)
            b.writeStaticString(",\"signature\":")
            b.writeJSONString(signature ?? "")
            b.writeStaticString("}")
        case .reasoning(.redacted(let data)):
            b.writeStaticString("{\"type\":\"redacted_thinking\",\"data\":")
            b.writeJSONString(String(decoding: data, as: UTF8.self))
            b.writeStaticString("}")
        case .image, .document, .toolResult, .cachePoint:
            return false
        }
        return true
    }

    static func writeUsage(_ usage: Usage, into b: inout ByteBuffer) {
        b.writeStaticString("{\"input_tokens\":")
        ConverseJSONWriter.writeInt(usage.inputTokens, into: &b)
        b.writeStaticString(",\"output_tokens\":")
        ConverseJSONWriter.writeInt(usage.outputTokens, into: &b)
        b.writeStaticString(",\"cache_read_input_tokens\":")
        ConverseJSONWriter.writeInt(usage.cacheReadTokens, into: &b)
        b.writeStaticString(",\"cache_creation_input_tokens\":")
        ConverseJSONWriter.writeInt(usage.cacheWriteTokens, into: &b)
        b.writeStaticString("}")
    }

    static func stopReason(_ reason: StopReason) -> StaticString {
        switch reason {
        case .endTurn, .malformedModelOutput, .malformedToolUse: "\"end_turn\""
        case .toolUse: "\"tool_use\""
        case .maxTokens: "\"max_tokens\""
        case .stopSequence: "\"stop_sequence\""
        case .contentFiltered, .guardrailIntervened: "\"refusal\""
        case .contextWindowExceeded: "\"model_context_window_exceeded\""
        }
    }

    /// Bedrock's own form of Anthropic message ids: `msg_bdrk_` and 24 base-62 characters.
    static func messageId() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var id = "msg_bdrk_"
        for _ in 0..<24 { id.append(alphabet.randomElement()!) }
        return id
    }
}
