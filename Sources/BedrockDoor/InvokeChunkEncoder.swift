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
        case .anthropic: return InvokeAnthropicStreamEncoder(modelId: modelId, clock: clock)
        case .nova: return InvokeNovaStreamEncoder(clock: clock)
        case .titanText: return InvokeTextStreamEncoder<InvokeTitanTextFormat>(clock: clock)
        case .mistral: return InvokeTextStreamEncoder<InvokeMistralFormat>(clock: clock)
        case .mistralChat: return InvokeTextStreamEncoder<InvokeMistralChatFormat>(clock: clock)
        case .llama: return InvokeTextStreamEncoder<InvokeLlamaFormat>(clock: clock)
        case .cohere: return InvokeTextStreamEncoder<InvokeCohereFormat>(clock: clock)
        case .cohereChat: return InvokeTextStreamEncoder<InvokeCohereChatFormat>(clock: clock)
        case .titanEmbedding, .cohereEmbedding: return nil
        }
    }
}
