import NIOCore
import SwitchyardModel

/// Amazon Titan embeddings: `{"inputText", "dimensions", "normalize", "embeddingTypes"}`. Titan v2 normalizes
/// unless told not to; only float vectors can be produced from another provider's embeddings.
struct InvokeTitanEmbeddingRequest: Decodable {
    let value: EmbeddingRequest
    /// Whether the answer also carries `embeddingsByType` (Titan v2 does).
    let byType: Bool

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let modelId = (decoder.userInfo[InvokeRequestDecoder.modelIdKey] as? String ?? "").lowercased()
        let typesKey: WireKey = "embeddingTypes"
        let types = try c.decodeIfPresent([String].self, forKey: typesKey)
        if let other = types?.first(where: { $0 != "float" }) {
            throw c.unsupported(typesKey, "the embedding type '\(other)' (only float is)")
        }
        let isV2 = modelId.contains("-v2")
        value = EmbeddingRequest(
            inputs: [try c.nonEmptyString("inputText")], dimensions: try c.positiveInt("dimensions"),
            normalize: try c.decodeIfPresent(Bool.self, forKey: "normalize") ?? isV2)
        byType = isV2 || types != nil
    }
}

/// Titan embeddings both ways: the body above, and the answer with one vector.
enum InvokeTitanEmbeddingCodec: InvokeEmbeddingCodec {
    static func decode(from decoder: any Decoder) throws -> InvokeBody {
        let body = try InvokeTitanEmbeddingRequest(from: decoder)
        return .embedding(body.value, byType: body.byType)
    }

    /// `{"embedding": […], "inputTextTokenCount", "embeddingsByType": {"float": […]}}` (the last for Titan v2).
    static func writeEmbeddings(_ response: EmbeddingResponse, texts: [String], byType: Bool, into b: inout ByteBuffer) {
        let vector = response.vectors.first ?? []
        b.writeStaticString("{\"embedding\":")
        writeVector(vector, into: &b)
        b.writeStaticString(",\"inputTextTokenCount\":")
        b.writeJSONInt(response.inputTokens)
        if byType {
            b.writeStaticString(",\"embeddingsByType\":{\"float\":")
            writeVector(vector, into: &b)
            b.writeStaticString("}")
        }
        b.writeStaticString("}")
    }
}
