import NIOCore
import SwitchyardModel

/// Streams in Anthropic's events: `message_start`, per block `content_block_start` / `content_block_delta` /
/// `content_block_stop`, then `message_delta` (stop reason, usage) and `message_stop` with Bedrock's invocation
/// metrics. Canonical streams start only tool-use blocks explicitly; text and thinking blocks get their
/// `content_block_start` from their first delta.
struct InvokeAnthropicStreamEncoder: InvokeChunkEncoder {
    let modelId: String
    private var clock: InvokeStreamClock
    private var blocks = InvokeBlockIndexer()
    private var started = false
    private var finished = false
    private var stopReason = StopReason.endTurn

    init(modelId: String, clock: InvokeStreamClock) {
        self.modelId = modelId
        self.clock = clock
    }

    mutating func encode(_ event: StreamEvent, into chunks: inout [ByteBuffer]) {
        clock.sawEvent()
        guard !finished else { return }
        start(into: &chunks)
        switch event {
        case .messageStart:
            break
        case .blockStart(let canonical, .toolUse(let id, let name)):
            guard let index = blocks.start(canonical) else { return }
            chunks.append(Self.blockStart(index) { b in
                b.writeStaticString("{\"type\":\"tool_use\",\"id\":")
                b.writeJSONString(id)
                b.writeStaticString(",\"name\":")
                b.writeJSONString(name)
                b.writeStaticString(",\"input\":{}}")
            })
        case .blockDelta(let canonical, let delta):
            if let index = blocks.openIndex(canonical) {
                if let chunk = Self.delta(index, delta) { chunks.append(chunk) }
            } else if let index = blocks.start(canonical) {
                chunks.append(Self.implicitStart(index, for: delta))
                if let chunk = Self.delta(index, delta) { chunks.append(chunk) }
            }
        case .blockStop(let canonical):
            if let index = blocks.stop(canonical) { chunks.append(Self.blockStop(index)) }
        case .messageStop(let reason):
            stopReason = reason
            for index in blocks.stopAll() { chunks.append(Self.blockStop(index)) }
        case .metadata(let usage, _):
            close(usage, into: &chunks)
        }
    }

    mutating func finish(into chunks: inout [ByteBuffer]) {
        guard !finished else { return }
        start(into: &chunks)
        close(Usage(), into: &chunks)
    }

    /// Input usage is not known until the canonical stream ends, so `message_start` counts zero and `message_delta`
    /// carries the whole usage.
    private mutating func start(into chunks: inout [ByteBuffer]) {
        guard !started else { return }
        started = true
        var b = ByteBuffer()
        b.writeStaticString("{\"type\":\"message_start\",\"message\":")
        InvokeAnthropicResponseWriter.writeHead(modelId: modelId, into: &b)
        b.writeStaticString(",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":")
        InvokeAnthropicResponseWriter.writeUsage(Usage(), into: &b)
        b.writeStaticString("}}")
        chunks.append(b)
    }

    private mutating func close(_ usage: Usage, into chunks: inout [ByteBuffer]) {
        for index in blocks.stopAll() { chunks.append(Self.blockStop(index)) }
        finished = true
        var delta = ByteBuffer()
        delta.writeStaticString("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":")
        delta.writeStaticString(InvokeAnthropicResponseWriter.stopReason(stopReason))
        delta.writeStaticString(",\"stop_sequence\":null},\"usage\":")
        InvokeAnthropicResponseWriter.writeUsage(usage, into: &delta)
        delta.writeStaticString("}")
        chunks.append(delta)
        var stop = ByteBuffer()
        stop.writeStaticString("{\"type\":\"message_stop\",")
        clock.metrics(usage).writeMember(into: &stop)
        stop.writeStaticString("}")
        chunks.append(stop)
    }

    private static func blockStart(_ index: Int, _ block: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeStaticString("{\"type\":\"content_block_start\",\"index\":")
        ConverseJSONWriter.writeInt(index, into: &b)
        b.writeStaticString(",\"content_block\":")
        block(&b)
        b.writeStaticString("}")
        return b
    }

    /// The start a block's first delta implies: text, thinking, or a redacted block that carries its data whole.
    private static func implicitStart(_ index: Int, for delta: BlockDelta) -> ByteBuffer {
        blockStart(index) { b in
            switch delta {
            case .text: b.writeStaticString("{\"type\":\"text\",\"text\":\"\"}")
            case .reasoningText, .reasoningSignature: b.writeStaticString("{\"type\":\"thinking\",\"thinking\":\"\"}")
            case .redactedReasoning(let data):
                b.writeStaticString("{\"type\":\"redacted_thinking\",\"data\":")
                b.writeJSONString(String(decoding: data, as: UTF8.self))
                b.writeStaticString("}")
            case .toolInput: b.writeStaticString("{\"type\":\"tool_use\",\"id\":\"\",\"name\":\"\",\"input\":{}}")
            }
        }
    }

    private static func delta(_ index: Int, _ delta: BlockDelta) -> ByteBuffer? {
        var b = ByteBuffer()
        b.writeStaticString("{\"type\":\"content_block_delta\",\"index\":")
        ConverseJSONWriter.writeInt(index, into: &b)
        switch delta {
        case .text(let text):
            b.writeStaticString(",\"delta\":{\"type\":\"text_delta\",\"text\":")
            b.writeJSONString(text)
        case .toolInput(let json):
            b.writeStaticString(",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":")
            b.writeJSONString(json)
        case .reasoningText(let text):
            b.writeStaticString(",\"delta\":{\"type\":\"thinking_delta\",\"thinking\":")
            b.writeJSONString(text)
        case .reasoningSignature(let signature):
            b.writeStaticString(",\"delta\":{\"type\":\"signature_delta\",\"signature\":")
            b.writeJSONString(signature)
        case .redactedReasoning:
            return nil
        }
        b.writeStaticString("}}")
        return b
    }

    private static func blockStop(_ index: Int) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeStaticString("{\"type\":\"content_block_stop\",\"index\":")
        ConverseJSONWriter.writeInt(index, into: &b)
        b.writeStaticString("}")
        return b
    }
}
