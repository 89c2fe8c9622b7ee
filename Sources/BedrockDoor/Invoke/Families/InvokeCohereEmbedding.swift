import Foundation
import NIOCore
import SwitchyardModel

/// Cohere embeddings both ways: the body below, and the answer echoing the texts with one vector each.
enum InvokeCohereEmbeddingCodec: InvokeEmbeddingCodec {
    static func decode(from decoder: any Decoder) throws -> InvokeBody {
        let body = try InvokeCohereEmbeddingRequest(from: decoder)
        return .embedding(body.value, byType: body.byType)
    }

    /// `{"id", "texts", "embeddings": [[…]] | {"float": [[…]]}, "response_type"}`
    static func writeEmbeddings(_ response: EmbeddingResponse, texts: [String], byType: Bool, into b: inout ByteBuffer) {
        b.writeStaticString("{\"id\":")
        b.writeJSONString(UUID().uuidString.lowercased())
        b.writeStaticString(",\"texts\":[")
        for (i, text) in texts.enumerated() {
            if i > 0 { b.writeStaticString(",") }
            b.writeJSONString(text)
        }
        b.writeStaticString("],\"embeddings\":")
        if byType { b.writeStaticString("{\"float\":") }
        b.writeStaticString("[")
        for (i, vector) in response.vectors.enumerated() {
            if i > 0 { b.writeStaticString(",") }
            writeVector(vector, into: &b)
        }
        b.writeStaticString("]")
        if byType {
            b.writeStaticString("},\"response_type\":\"embeddings_by_type\"}")
        } else {
            b.writeStaticString(",\"response_type\":\"embeddings_floats\"}")
        }
    }
}

/// Cohere embeddings: `{"texts", "input_type", "truncate", "embedding_types"}`. Only float vectors can be produced
/// from another provider's embeddings; image inputs have no canonical form.
struct InvokeCohereEmbeddingRequest: Decodable {
    let value: EmbeddingRequest
    /// Whether `embedding_types` was given, which makes the answer `embeddings_by_type`.
    let byType: Bool

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        if c.contains("images") { throw c.unsupported("images", "Cohere image embeddings") }
        let typesKey: WireKey = "embedding_types"
        let types = try c.decodeIfPresent([String].self, forKey: typesKey)
        if let other = types?.first(where: { $0 != "float" }) {
            throw c.unsupported(typesKey, "the embedding type '\(other)' (only float is)")
        }
        let textsKey: WireKey = "texts"
        try c.require(textsKey)
        let texts = try c.decode([String].self, forKey: textsKey)
        if texts.isEmpty { throw c.failure(textsKey, "must contain at least one text") }
        value = EmbeddingRequest(inputs: texts, purpose: try c.decodeIfPresent(String.self, forKey: "input_type"))
        byType = types != nil
    }
}
