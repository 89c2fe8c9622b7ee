import AnthropicDialect
import NIOCore
import SwitchyardModel

/// The Anthropic family's stream: the dialect's events, each a chunk, with Bedrock's invocation metrics in
/// `message_stop`.
struct InvokeAnthropicStreamEncoder: InvokeChunkEncoder {
    private var clock: InvokeStreamClock
    private var inner: AnthropicStreamEncoder

    init(modelId: String, clock: InvokeStreamClock) {
        self.clock = clock
        inner = AnthropicStreamEncoder(model: modelId, messageId: AnthropicResponseWriter.messageId(prefix: "msg_bdrk_"))
    }

    mutating func encode(_ event: StreamEvent, into chunks: inout [ByteBuffer]) {
        clock.sawEvent()
        var events: [AnthropicStreamChunk] = []
        let clock = self.clock
        inner.encode(event, into: &events) { usage, b in Self.writeMetrics(clock, usage, into: &b) }
        chunks.append(contentsOf: events.map(\.json))
    }

    mutating func finish(into chunks: inout [ByteBuffer]) {
        var events: [AnthropicStreamChunk] = []
        let clock = self.clock
        inner.finish(into: &events) { usage, b in Self.writeMetrics(clock, usage, into: &b) }
        chunks.append(contentsOf: events.map(\.json))
    }

    private static func writeMetrics(_ clock: InvokeStreamClock, _ usage: Usage, into b: inout ByteBuffer) {
        b.writeStaticString(",")
        clock.metrics(usage).writeMember(into: &b)
    }
}
