import NIOCore
import SwitchyardModel

/// Amazon Nova answers: Converse's message shape under `output`, with Nova's usage names
/// (`cacheReadInputTokenCount`, `cacheWriteInputTokenCount`).
enum InvokeNovaResponseWriter {
    static func write(_ response: ChatResponse, into b: inout ByteBuffer) {
        b.writeStaticString("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[")
        for (i, part) in response.content.enumerated() {
            if i > 0 { b.writeStaticString(",") }
            ConverseJSONWriter.writeContentBlock(part, into: &b)
        }
        b.writeStaticString("]}},\"stopReason\":\"")
        b.writeStaticString(ConverseJSONWriter.stopReason(response.stopReason))
        b.writeStaticString("\",\"usage\":")
        writeUsage(response.usage, into: &b)
        b.writeStaticString("}")
    }

    static func writeUsage(_ usage: Usage, into b: inout ByteBuffer) {
        b.writeStaticString("{\"inputTokens\":")
        ConverseJSONWriter.writeInt(usage.inputTokens, into: &b)
        b.writeStaticString(",\"outputTokens\":")
        ConverseJSONWriter.writeInt(usage.outputTokens, into: &b)
        b.writeStaticString(",\"totalTokens\":")
        ConverseJSONWriter.writeInt(usage.totalTokens, into: &b)
        b.writeStaticString(",\"cacheReadInputTokenCount\":")
        ConverseJSONWriter.writeInt(usage.cacheReadTokens, into: &b)
        b.writeStaticString(",\"cacheWriteInputTokenCount\":")
        ConverseJSONWriter.writeInt(usage.cacheWriteTokens, into: &b)
        b.writeStaticString("}")
    }
}
