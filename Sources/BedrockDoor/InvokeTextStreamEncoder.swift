import NIOCore
import SwitchyardModel

/// Streams a text family: one chunk per text delta as it arrives, then one closing chunk with the stop reason,
/// usage and metrics once the canonical stream has them (its metadata event).
struct InvokeTextStreamEncoder<Format: InvokeTextFormat>: InvokeChunkEncoder {
    private var clock: InvokeStreamClock
    private var stopReason = StopReason.endTurn
    private var finished = false
    /// Open tool calls by canonical block index, for formats that stream them.
    private var tools: [Int: (id: String, name: String, arguments: String)] = [:]

    init(clock: InvokeStreamClock) {
        self.clock = clock
    }

    mutating func encode(_ event: StreamEvent, into chunks: inout [ByteBuffer]) {
        clock.sawEvent()
        switch event {
        case .blockDelta(_, .text(let text)) where !text.isEmpty:
            var b = ByteBuffer()
            Format.writeTextChunk(text, into: &b)
            chunks.append(b)
        case .blockStart(let index, .toolUse(let id, let name)) where Format.streamsToolCalls:
            tools[index] = (id, name, "")
        case .blockDelta(let index, .toolInput(let fragment)):
            tools[index]?.arguments += fragment
        case .blockStop(let index):
            if let call = tools.removeValue(forKey: index) { chunks.append(toolCall(call)) }
        case .messageStop(let reason):
            stopReason = reason
            for index in tools.keys.sorted() { chunks.append(toolCall(tools[index]!)) }
            tools.removeAll()
        case .metadata(let usage, _):
            close(usage, into: &chunks)
        default:
            break
        }
    }

    mutating func finish(into chunks: inout [ByteBuffer]) {
        close(Usage(), into: &chunks)
    }

    private mutating func close(_ usage: Usage, into chunks: inout [ByteBuffer]) {
        guard !finished else { return }
        finished = true
        var b = ByteBuffer()
        Format.writeFinalChunk(InvokeStreamEnd(stopReason: stopReason, usage: usage, metrics: clock.metrics(usage)), into: &b)
        chunks.append(b)
    }

    private func toolCall(_ call: (id: String, name: String, arguments: String)) -> ByteBuffer {
        var b = ByteBuffer()
        Format.writeToolCallChunk(id: call.id, name: call.name, arguments: call.arguments, into: &b)
        return b
    }
}
