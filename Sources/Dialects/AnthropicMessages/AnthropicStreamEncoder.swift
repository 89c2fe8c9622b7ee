import AWSWire
import NIOCore
import SwitchyardModel

/// Canonical events → `message_start`, per block `content_block_start` / `content_block_delta` /
/// `content_block_stop`, then `message_delta` (stop reason, usage) and `message_stop`. Canonical streams start only
/// tool-use blocks explicitly; text and thinking blocks get their `content_block_start` from their first delta, and
/// blocks are numbered 0, 1, 2… in the order they appear, whatever their canonical indexes.
public struct AnthropicStreamEncoder: Sendable {
    let model: String
    let messageId: String
    private var blocks = StreamBlockIndexer()
    private var started = false
    public private(set) var finished = false
    private var stopReason = StopReason.endTurn

    public init(model: String, messageId: String) {
        self.model = model
        self.messageId = messageId
    }

    /// `stopMembers` may add members to `message_stop` (Bedrock's invocation metrics), each written with its
    /// leading comma.
    public mutating func encode(
        _ event: StreamEvent, into chunks: inout [AnthropicStreamChunk], stopMembers: (Usage, inout ByteBuffer) -> Void = { _, _ in }
    ) {
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
            close(usage, into: &chunks, stopMembers: stopMembers)
        }
    }

    /// What is still owed when the canonical stream ended without its usage.
    public mutating func finish(into chunks: inout [AnthropicStreamChunk], stopMembers: (Usage, inout ByteBuffer) -> Void = { _, _ in }) {
        guard !finished else { return }
        start(into: &chunks)
        close(Usage(), into: &chunks, stopMembers: stopMembers)
    }

    /// Input usage is not known until the canonical stream ends, so `message_start` counts zero and `message_delta`
    /// carries the whole usage (the SDKs take every count `message_delta` gives).
    private mutating func start(into chunks: inout [AnthropicStreamChunk]) {
        guard !started else { return }
        started = true
        var b = ByteBuffer()
        b.writeStaticString("{\"type\":\"message_start\",\"message\":")
        AnthropicResponseWriter.writeHead(model: model, messageId: messageId, into: &b)
        b.writeStaticString(",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":")
        AnthropicResponseWriter.writeUsage(Usage(), into: &b)
        b.writeStaticString("}}")
        chunks.append(AnthropicStreamChunk(type: "message_start", json: b))
    }

    private mutating func close(_ usage: Usage, into chunks: inout [AnthropicStreamChunk], stopMembers: (Usage, inout ByteBuffer) -> Void) {
        for index in blocks.stopAll() { chunks.append(Self.blockStop(index)) }
        finished = true
        var delta = ByteBuffer()
        delta.writeStaticString("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":")
        delta.writeStaticString(AnthropicStopReason.wire(stopReason))
        delta.writeStaticString(",\"stop_sequence\":null},\"usage\":")
        AnthropicResponseWriter.writeUsage(usage, into: &delta)
        delta.writeStaticString("}")
        chunks.append(AnthropicStreamChunk(type: "message_delta", json: delta))
        var stop = ByteBuffer()
        stop.writeStaticString("{\"type\":\"message_stop\"")
        stopMembers(usage, &stop)
        stop.writeStaticString("}")
        chunks.append(AnthropicStreamChunk(type: "message_stop", json: stop))
    }

    private static func blockStart(_ index: Int, _ block: (inout ByteBuffer) -> Void) -> AnthropicStreamChunk {
        var b = ByteBuffer()
        b.writeStaticString("{\"type\":\"content_block_start\",\"index\":")
        b.writeJSONInt(index)
        b.writeStaticString(",\"content_block\":")
        block(&b)
        b.writeStaticString("}")
        return AnthropicStreamChunk(type: "content_block_start", json: b)
    }

    /// The start a block's first delta implies: text, thinking, or a redacted block that carries its data whole.
    private static func implicitStart(_ index: Int, for delta: BlockDelta) -> AnthropicStreamChunk {
        blockStart(index) { b in
            switch delta {
            case .text: b.writeStaticString("{\"type\":\"text\",\"text\":\"\"}")
            case .reasoningText, .reasoningSignature: b.writeStaticString("{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}")
            case .redactedReasoning(let data):
                b.writeStaticString("{\"type\":\"redacted_thinking\",\"data\":")
                b.writeJSONString(String(decoding: data, as: UTF8.self))
                b.writeStaticString("}")
            case .toolInput: b.writeStaticString("{\"type\":\"tool_use\",\"id\":\"\",\"name\":\"\",\"input\":{}}")
            }
        }
    }

    private static func delta(_ index: Int, _ delta: BlockDelta) -> AnthropicStreamChunk? {
        var b = ByteBuffer()
        b.writeStaticString("{\"type\":\"content_block_delta\",\"index\":")
        b.writeJSONInt(index)
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
        return AnthropicStreamChunk(type: "content_block_delta", json: b)
    }

    private static func blockStop(_ index: Int) -> AnthropicStreamChunk {
        var b = ByteBuffer()
        b.writeStaticString("{\"type\":\"content_block_stop\",\"index\":")
        b.writeJSONInt(index)
        b.writeStaticString("}")
        return AnthropicStreamChunk(type: "content_block_stop", json: b)
    }

    /// An `error` event, for a failure after the stream began.
    public static func error(_ type: AnthropicErrorType, message: String) -> AnthropicStreamChunk {
        var b = ByteBuffer()
        type.writeBody(message: message, into: &b)
        return AnthropicStreamChunk(type: "error", json: b)
    }
}
