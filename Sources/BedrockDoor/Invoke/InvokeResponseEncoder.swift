import NIOCore
import SwitchyardModel

/// Encodes canonical answers as InvokeModel response bodies in the request's model family.
public enum InvokeResponseEncoder {
    public static func encode(_ response: ChatResponse, family: InvokeFamily, modelId: String) -> ByteBuffer {
        var b = ByteBuffer()
        b.reserveCapacity(256)
        family.codec.writeResponse(response, modelId: modelId, into: &b)
        return b
    }

    public static func encode(_ response: EmbeddingResponse, request: EmbeddingRequest, family: InvokeFamily, byType: Bool) -> ByteBuffer {
        var b = ByteBuffer()
        b.reserveCapacity(response.vectors.reduce(64) { $0 + $1.count * 12 })
        family.codec.writeEmbeddings(response, texts: request.inputs, byType: byType, into: &b)
        return b
    }
}
