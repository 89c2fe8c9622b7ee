import NIOCore
import SwitchyardModel

/// Streams in Nova's chunks, each a Converse stream event wrapped in its name: `{"messageStart": …}`,
/// `{"contentBlockStart": …}` (tool use), `{"contentBlockDelta": …}`, `{"contentBlockStop": …}`,
/// `{"messageStop": …}`, then `{"metadata": …}` with Bedrock's invocation metrics.
struct InvokeNovaStreamEncoder: InvokeChunkEncoder {
    private var clock: InvokeStreamClock
    private var blocks = InvokeBlockIndexer()
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
            ConverseJSONWriter.writeInt(index, into: &b)
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
        InvokeNovaResponseWriter.writeUsage(usage, into: &b)
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
        ConverseJSONWriter.writeInt(index, into: &b)
        b.writeStaticString("}}")
        return b
    }

    private static func blockStop(_ index: Int) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeStaticString("{\"contentBlockStop\":{\"contentBlockIndex\":")
        ConverseJSONWriter.writeInt(index, into: &b)
        b.writeStaticString("}}")
        return b
    }
}
