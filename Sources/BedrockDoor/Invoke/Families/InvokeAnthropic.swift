import AnthropicDialect
import NIOCore
import SwitchyardModel

/// Anthropic Messages on InvokeModel: the Anthropic dialect's own codec, in its Bedrock form (`anthropic_version`
/// in the body, the model in the path), with Bedrock's message ids.
enum InvokeAnthropicCodec: InvokeChatCodec {
    static func decodeChat(from decoder: any Decoder) throws -> ChatRequest {
        try AnthropicWireRequest(from: decoder, form: .bedrockInvoke).value.chat
    }

    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer) {
        AnthropicResponseWriter.write(response, model: modelId, messageId: AnthropicResponseWriter.messageId(prefix: "msg_bdrk_"), into: &b)
    }

    static func chunkEncoder(modelId: String, clock: InvokeStreamClock) -> (any InvokeChunkEncoder)? {
        InvokeAnthropicStreamEncoder(modelId: modelId, clock: clock)
    }
}

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
