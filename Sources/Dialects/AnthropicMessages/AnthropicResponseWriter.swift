import AWSWire
import NIOCore
import SwitchyardModel

/// Canonical answers as `message` objects: `{"id", "type": "message", "role", "model", "content", "stop_reason",
/// "stop_sequence", "usage"}`, whichever provider produced them.
public enum AnthropicResponseWriter {
    public static func write(_ response: ChatResponse, model: String, messageId: String, into b: inout ByteBuffer) {
        writeHead(model: model, messageId: messageId, into: &b)
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
        b.writeStaticString(AnthropicStopReason.wire(response.stopReason))
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
    static func writeHead(model: String, messageId: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"id\":")
        b.writeJSONString(messageId)
        b.writeStaticString(",\"type\":\"message\",\"role\":\"assistant\",\"model\":")
        b.writeJSONString(model)
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
            b.writeJSONValue(use.input)
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
        b.writeJSONInt(usage.inputTokens)
        b.writeStaticString(",\"output_tokens\":")
        b.writeJSONInt(usage.outputTokens)
        b.writeStaticString(",\"cache_read_input_tokens\":")
        b.writeJSONInt(usage.cacheReadTokens)
        b.writeStaticString(",\"cache_creation_input_tokens\":")
        b.writeJSONInt(usage.cacheWriteTokens)
        b.writeStaticString("}")
    }

    /// A message id in Anthropic's form: `prefix` (`msg_`, Bedrock's `msg_bdrk_`) and 24 base-62 characters.
    public static func messageId(prefix: String = "msg_") -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var id = prefix
        for _ in 0..<24 { id.append(alphabet.randomElement()!) }
        return id
    }
}
