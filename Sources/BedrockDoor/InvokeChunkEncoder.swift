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
        let clock = InvokeStreamClock(started: started)
        switch self {
        case .anthropic: return SplittingChunkEncoder(InvokeAnthropicStreamEncoder(modelId: modelId, clock: clock))
        case .nova: return SplittingChunkEncoder(InvokeNovaStreamEncoder(clock: clock))
        case .titanText: return SplittingChunkEncoder(InvokeTextStreamEncoder<InvokeTitanTextFormat>(clock: clock))
        case .mistral: return SplittingChunkEncoder(InvokeTextStreamEncoder<InvokeMistralFormat>(clock: clock))
        case .mistralChat: return SplittingChunkEncoder(InvokeTextStreamEncoder<InvokeMistralChatFormat>(clock: clock))
        case .llama: return SplittingChunkEncoder(InvokeTextStreamEncoder<InvokeLlamaFormat>(clock: clock))
        case .cohere: return SplittingChunkEncoder(InvokeTextStreamEncoder<InvokeCohereFormat>(clock: clock))
        case .cohereChat: return SplittingChunkEncoder(InvokeTextStreamEncoder<InvokeCohereChatFormat>(clock: clock))
        case .titanEmbedding, .cohereEmbedding: return nil
        }
    }
}

/// Hands a family encoder long deltas in pieces, so each of its chunks fits one `chunk` frame (see
/// `StreamDeltaSplitter`).
struct SplittingChunkEncoder<Inner: InvokeChunkEncoder>: InvokeChunkEncoder {
    private var inner: Inner

    init(_ inner: Inner) {
        self.inner = inner
    }

    mutating func encode(_ event: StreamEvent, into chunks: inout [ByteBuffer]) {
        for piece in StreamDeltaSplitter.split(event) { inner.encode(piece, into: &chunks) }
    }

    mutating func finish(into chunks: inout [ByteBuffer]) {
        inner.finish(into: &chunks)
    }
}
