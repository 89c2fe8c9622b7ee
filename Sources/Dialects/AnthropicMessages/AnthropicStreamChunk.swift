import NIOCore

/// One event of a streamed answer: its type (the SSE `event:` name) and its JSON (the `data:`).
public struct AnthropicStreamChunk: Sendable {
    public var type: StaticString
    public var json: ByteBuffer

    /// The chunk as one server-sent event.
    public func writeSSE(into b: inout ByteBuffer) {
        b.writeStaticString("event: ")
        b.writeStaticString(type)
        b.writeStaticString("\ndata: ")
        b.writeImmutableBuffer(json)
        b.writeStaticString("\n\n")
    }
}
