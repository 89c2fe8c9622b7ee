import AnthropicDialect
import NIOCore
import SwitchyardModel

/// Encodes canonical answers as InvokeModel response bodies in the request's model family.
public enum InvokeResponseEncoder {
    public static func encode(_ response: ChatResponse, family: InvokeFamily, modelId: String) -> ByteBuffer {
        var b = ByteBuffer()
        b.reserveCapacity(256)
        switch family {
        case .anthropic:
            AnthropicResponseWriter.write(response, model: modelId, messageId: AnthropicResponseWriter.messageId(prefix: "msg_bdrk_"), into: &b)
        case .nova: InvokeNovaResponseWriter.write(response, into: &b)
        case .titanText: InvokeTitanTextFormat.writeResponse(response, modelId: modelId, into: &b)
        case .mistral: InvokeMistralFormat.writeResponse(response, modelId: modelId, into: &b)
        case .mistralChat: InvokeMistralChatFormat.writeResponse(response, modelId: modelId, into: &b)
        case .llama: InvokeLlamaFormat.writeResponse(response, modelId: modelId, into: &b)
        case .cohere: InvokeCohereFormat.writeResponse(response, modelId: modelId, into: &b)
        case .cohereChat: InvokeCohereChatFormat.writeResponse(response, modelId: modelId, into: &b)
        case .titanEmbedding, .cohereEmbedding:
            preconditionFailure("an embedding family has no chat answer")
        }
        return b
    }

    public static func encode(_ response: EmbeddingResponse, request: EmbeddingRequest, family: InvokeFamily, byType: Bool) -> ByteBuffer {
        var b = ByteBuffer()
        b.reserveCapacity(response.vectors.reduce(64) { $0 + $1.count * 12 })
        if family == .cohereEmbedding {
            InvokeEmbeddingResponseWriter.writeCohere(response, texts: request.inputs, byType: byType, into: &b)
        } else {
            InvokeEmbeddingResponseWriter.writeTitan(response, byType: byType, into: &b)
        }
        return b
    }
}
