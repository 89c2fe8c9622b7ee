import NIOCore
import SwitchyardModel

/// Turns canonical stream events into a family's stream chunks: each chunk is one JSON document, which the route
/// sends base64-encoded in a `chunk` event.
public protocol InvokeChunkEncoder: Sendable {
    /// Appends the chunks (zero or more) that `event` produces.
    mutating func encode(_ event: StreamEvent, into chunks: inout [ByteBuffer])
    /// Appends whatever is still owed when the stream ended without its closing events.
    mutating func finish(into chunks: inout [ByteBuffer])
}

extension InvokeFamily {
    /// The chunk encoder for this family's streams (nil for embeddings, which do not stream); `started` is when the
    /// gateway asked for the stream.
    public func chunkEncoder(modelId: String, started: ContinuousClock.Instant = .now) -> (any InvokeChunkEncoder)? {
        codec.chunkEncoder(modelId: modelId, clock: InvokeStreamClock(started: started)).map(SplittingChunkEncoder.init)
    }
}

/// Hands a family encoder long deltas in pieces, so each of its chunks fits one `chunk` frame (see
/// `StreamDeltaSplitter`).
struct SplittingChunkEncoder: InvokeChunkEncoder {
    private var inner: any InvokeChunkEncoder

    init(_ inner: any InvokeChunkEncoder) {
        self.inner = inner
    }

    mutating func encode(_ event: StreamEvent, into chunks: inout [ByteBuffer]) {
        for piece in StreamDeltaSplitter.split(event) { inner.encode(piece, into: &chunks) }
    }

    mutating func finish(into chunks: inout [ByteBuffer]) {
        inner.finish(into: &chunks)
    }
}

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

/// Times one invoke stream from the moment the gateway asked the engine for it: the first event is the first byte.
struct InvokeStreamClock: Sendable {
    let started: ContinuousClock.Instant
    private(set) var firstByteMs: Int?

    init(started: ContinuousClock.Instant = .now) {
        self.started = started
    }

    var elapsedMs: Int { Int((ContinuousClock.now - started) / .milliseconds(1)) }

    mutating func sawEvent() {
        if firstByteMs == nil { firstByteMs = elapsedMs }
    }

    func metrics(_ usage: Usage) -> InvocationMetrics {
        let total = elapsedMs
        return InvocationMetrics(usage: usage, invocationLatency: total, firstByteLatency: firstByteMs ?? total)
    }
}

/// How a streamed answer ended, for the family's last chunk.
struct InvokeStreamEnd: Sendable {
    var stopReason: StopReason
    var usage: Usage
    var metrics: InvocationMetrics
}

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
        b.writeJSONInt(inputTokenCount)
        b.writeStaticString(",\"outputTokenCount\":")
        b.writeJSONInt(outputTokenCount)
        b.writeStaticString(",\"invocationLatency\":")
        b.writeJSONInt(invocationLatency)
        b.writeStaticString(",\"firstByteLatency\":")
        b.writeJSONInt(firstByteLatency)
        b.writeStaticString("}")
    }
}

extension Usage {
    /// Every input token read, cached or not: what invoke answers count as the input.
    var allInputTokens: Int { inputTokens + cacheReadTokens + cacheWriteTokens }
}

/// The shared indexer under the name the Invoke stream tests know it by.
typealias InvokeBlockIndexer = StreamBlockIndexer
