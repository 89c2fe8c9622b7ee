import NIOCore
import SwitchyardModel

/// What Bedrock appends to the last chunk of every invoke stream as `amazon-bedrock-invocationMetrics`.
struct InvocationMetrics: Sendable, Hashable {
    /// All input tokens, cached or not: what the caller was billed for reading.
    var inputTokenCount: Int
    var outputTokenCount: Int
    var invocationLatency: Int
    var firstByteLatency: Int

    init(usage: Usage, invocationLatency: Int, firstByteLatency: Int) {
        inputTokenCount = usage.allInputTokens
        outputTokenCount = usage.outputTokens
        self.invocationLatency = invocationLatency
        self.firstByteLatency = min(firstByteLatency, invocationLatency)
    }

    /// `"amazon-bedrock-invocationMetrics":{…}`, a member for the caller to place inside an object.
    func writeMember(into b: inout ByteBuffer) {
        b.writeStaticString("\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":")
        ConverseJSONWriter.writeInt(inputTokenCount, into: &b)
        b.writeStaticString(",\"outputTokenCount\":")
        ConverseJSONWriter.writeInt(outputTokenCount, into: &b)
        b.writeStaticString(",\"invocationLatency\":")
        ConverseJSONWriter.writeInt(invocationLatency, into: &b)
        b.writeStaticString(",\"firstByteLatency\":")
        ConverseJSONWriter.writeInt(firstByteLatency, into: &b)
        b.writeStaticString("}")
    }
}

extension Usage {
    /// Every input token read, cached or not: what invoke answers count as the input.
    var allInputTokens: Int { inputTokens + cacheReadTokens + cacheWriteTokens }
}
