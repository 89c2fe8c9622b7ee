import NIOCore
import SwitchyardModel

/// One InvokeModel model family's JSON, both ways: its request body read into the canonical model, its answer
/// written back, and its stream chunks. Each family has one codec, in Invoke/Families; `InvokeFamily.codec` picks it.
protocol InvokeFamilyCodec {
    /// Reads a body of this family; failures are `WireDecodingFailure`s naming the member's JSON path.
    static func decode(from decoder: any Decoder) throws -> InvokeBody
    /// A chat answer as this family's response body.
    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer)
    /// An embedding answer as this family's response body; `texts` are the inputs, which some families echo.
    static func writeEmbeddings(_ response: EmbeddingResponse, texts: [String], byType: Bool, into b: inout ByteBuffer)
    /// The encoder of this family's stream chunks; nil for the families that do not stream (embeddings).
    static func chunkEncoder(modelId: String, clock: InvokeStreamClock) -> (any InvokeChunkEncoder)?
}

/// What a family's body decodes to, before the family is attached (`InvokeRequest`).
enum InvokeBody {
    case chat(ChatRequest)
    /// `byType`: the answer also (Titan v2) or only (Cohere `embedding_types`) carries vectors keyed by type.
    case embedding(EmbeddingRequest, byType: Bool)
}

/// A family that answers chat requests; it has no embedding answer.
protocol InvokeChatCodec: InvokeFamilyCodec {
    static func decodeChat(from decoder: any Decoder) throws -> ChatRequest
}

extension InvokeChatCodec {
    static func decode(from decoder: any Decoder) throws -> InvokeBody {
        .chat(try decodeChat(from: decoder))
    }

    static func writeEmbeddings(_ response: EmbeddingResponse, texts: [String], byType: Bool, into b: inout ByteBuffer) {
        preconditionFailure("a chat family has no embedding answer")
    }
}

/// A family that answers embedding requests; it neither chats nor streams.
protocol InvokeEmbeddingCodec: InvokeFamilyCodec {}

extension InvokeEmbeddingCodec {
    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer) {
        preconditionFailure("an embedding family has no chat answer")
    }

    static func chunkEncoder(modelId: String, clock: InvokeStreamClock) -> (any InvokeChunkEncoder)? { nil }

    /// `[x, y, …]`, numbers written straight into the buffer.
    static func writeVector(_ vector: [Double], into b: inout ByteBuffer) {
        b.writeStaticString("[")
        for (i, x) in vector.enumerated() {
            if i > 0 { b.writeStaticString(",") }
            b.writeJSONNumber(x)
        }
        b.writeStaticString("]")
    }
}

/// A chat family whose answers are text (Mistral chat: and tool calls): how its whole answer and its stream chunks
/// look. Its stream is `InvokeTextStreamEncoder`'s.
protocol InvokeTextFormat: InvokeChatCodec, Sendable {
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

    static func chunkEncoder(modelId: String, clock: InvokeStreamClock) -> (any InvokeChunkEncoder)? {
        InvokeTextStreamEncoder<Self>(clock: clock)
    }

    /// The answer's text blocks joined; reasoning and tool calls have no place in a completion.
    static func text(of response: ChatResponse) -> String {
        var text = ""
        for part in response.content {
            if case .text(let t) = part { text += t }
        }
        return text
    }
}
