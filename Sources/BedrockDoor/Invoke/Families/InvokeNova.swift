import NIOCore
import SwitchyardModel

/// Amazon Nova answers: Converse's message shape under `output`, with Nova's usage names
/// (`cacheReadInputTokenCount`, `cacheWriteInputTokenCount`).
enum InvokeNovaCodec: InvokeChatCodec {
    static func decodeChat(from decoder: any Decoder) throws -> ChatRequest {
        try InvokeNovaRequest(from: decoder).value
    }

    static func chunkEncoder(modelId: String, clock: InvokeStreamClock) -> (any InvokeChunkEncoder)? {
        InvokeNovaStreamEncoder(clock: clock)
    }

    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer) {
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
        b.writeJSONInt(usage.inputTokens)
        b.writeStaticString(",\"outputTokens\":")
        b.writeJSONInt(usage.outputTokens)
        b.writeStaticString(",\"totalTokens\":")
        b.writeJSONInt(usage.totalTokens)
        b.writeStaticString(",\"cacheReadInputTokenCount\":")
        b.writeJSONInt(usage.cacheReadTokens)
        b.writeStaticString(",\"cacheWriteInputTokenCount\":")
        b.writeJSONInt(usage.cacheWriteTokens)
        b.writeStaticString("}")
    }
}

/// An Amazon Nova body (`schemaVersion: "messages-v1"`). Its messages, system blocks and toolConfig are Converse's
/// own shapes, so Converse's decoders read them; `inferenceConfig` accepts both spellings Nova documents
/// (`maxTokens` / `max_new_tokens`, `topP` / `top_p`). `topK` has no canonical place and is not forwarded.
struct InvokeNovaRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let messagesKey: WireKey = "messages"
        try c.require(messagesKey)
        let messages = try c.decode([ConverseWireMessage].self, forKey: messagesKey).map(\.value)
        if messages.isEmpty { throw c.failure(messagesKey, "must contain at least one message") }
        let system = try c.decodeIfPresent([ConverseWireSystemBlock].self, forKey: "system")?.map(\.value) ?? []
        let toolConfig = try c.decodeIfPresent(ConverseWireToolConfig.self, forKey: "toolConfig")

        var inference = InferenceConfig()
        let configKey: WireKey = "inferenceConfig"
        if c.contains(configKey), try !c.decodeNil(forKey: configKey) {
            let config = try c.nestedContainer(keyedBy: WireKey.self, forKey: configKey)
            inference.maxTokens = try config.positiveInt("maxTokens") ?? config.positiveInt("max_new_tokens")
            inference.temperature = try config.number("temperature")
            inference.topP = try config.number("topP") ?? config.number("top_p")
            inference.stopSequences = try config.stopSequences("stopSequences")
        }
        value = ChatRequest(
            system: system, messages: messages, inference: inference,
            tools: toolConfig?.tools ?? [], toolChoice: toolConfig?.toolChoice)
    }
}

/// Streams in Nova's chunks, each a Converse stream event wrapped in its name: `{"messageStart": …}`,
/// `{"contentBlockStart": …}` (tool use), `{"contentBlockDelta": …}`, `{"contentBlockStop": …}`,
/// `{"messageStop": …}`, then `{"metadata": …}` with Bedrock's invocation metrics.
struct InvokeNovaStreamEncoder: InvokeChunkEncoder {
    private var clock: InvokeStreamClock
    private var blocks = StreamBlockIndexer()
    private var started = false
    private var stopped = false
    private var finished = false

    init(clock: InvokeStreamClock) {
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
            var b = ByteBuffer()
            b.writeStaticString("{\"contentBlockStart\":{\"start\":{\"toolUse\":{\"toolUseId\":")
            b.writeJSONString(id)
            b.writeStaticString(",\"name\":")
            b.writeJSONString(name)
            b.writeStaticString("}},\"contentBlockIndex\":")
            b.writeJSONInt(index)
            b.writeStaticString("}}")
            chunks.append(b)
        case .blockDelta(let canonical, let delta):
            guard let index = blocks.openIndex(canonical) ?? blocks.start(canonical) else { return }
            chunks.append(Self.delta(index, delta))
        case .blockStop(let canonical):
            if let index = blocks.stop(canonical) { chunks.append(Self.blockStop(index)) }
        case .messageStop(let reason):
            stop(reason, into: &chunks)
        case .metadata(let usage, _):
            close(usage, into: &chunks)
        }
    }

    mutating func finish(into chunks: inout [ByteBuffer]) {
        guard !finished else { return }
        start(into: &chunks)
        close(Usage(), into: &chunks)
    }

    private mutating func start(into chunks: inout [ByteBuffer]) {
        guard !started else { return }
        started = true
        var b = ByteBuffer()
        b.writeStaticString("{\"messageStart\":{\"role\":\"assistant\"}}")
        chunks.append(b)
    }

    private mutating func stop(_ reason: StopReason, into chunks: inout [ByteBuffer]) {
        guard !stopped else { return }
        stopped = true
        for index in blocks.stopAll() { chunks.append(Self.blockStop(index)) }
        var b = ByteBuffer()
        b.writeStaticString("{\"messageStop\":{\"stopReason\":\"")
        b.writeStaticString(ConverseJSONWriter.stopReason(reason))
        b.writeStaticString("\"}}")
        chunks.append(b)
    }

    private mutating func close(_ usage: Usage, into chunks: inout [ByteBuffer]) {
        stop(.endTurn, into: &chunks)
        finished = true
        var b = ByteBuffer()
        b.writeStaticString("{\"metadata\":{\"usage\":")
        InvokeNovaCodec.writeUsage(usage, into: &b)
        b.writeStaticString(",\"metrics\":{},\"trace\":{}},")
        clock.metrics(usage).writeMember(into: &b)
        b.writeStaticString("}")
        chunks.append(b)
    }

    private static func delta(_ index: Int, _ delta: BlockDelta) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeStaticString("{\"contentBlockDelta\":{\"delta\":")
        ConverseJSONWriter.writeBlockDelta(delta, into: &b)
        b.writeStaticString(",\"contentBlockIndex\":")
        b.writeJSONInt(index)
        b.writeStaticString("}}")
        return b
    }

    private static func blockStop(_ index: Int) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeStaticString("{\"contentBlockStop\":{\"contentBlockIndex\":")
        b.writeJSONInt(index)
        b.writeStaticString("}}")
        return b
    }
}
