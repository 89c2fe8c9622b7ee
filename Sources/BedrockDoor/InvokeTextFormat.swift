import NIOCore
import SwitchyardModel

/// A family whose answers are text (Mistral chat: and tool calls): how its whole answer and its stream chunks look.
protocol InvokeTextFormat: Sendable {
    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer)
    static func writeTextChunk(_ text: String, into b: inout ByteBuffer)
    /// The last chunk: stop reason, usage where the family has it, and the invocation metrics.
    static func writeFinalChunk(_ end: InvokeStreamEnd, into b: inout ByteBuffer)
    /// Whether tool calls are streamed; each goes out whole in one chunk once its input is complete.
    static var streamsToolCalls: Bool { get }
    static func writeToolCallChunk(id: String, name: String, arguments: String, into b: inout ByteBuffer)
}

extension InvokeTextFormat {
    static var streamsToolCalls: Bool { false }

    static func writeToolCallChunk(id: String, name: String, arguments: String, into b: inout ByteBuffer) {}

    /// The answer's text blocks joined; reasoning and tool calls have no place in a completion.
    static func text(of response: ChatResponse) -> String {
        var text = ""
        for part in response.content {
            if case .text(let t) = part { text += t }
        }
        return text
    }
}
