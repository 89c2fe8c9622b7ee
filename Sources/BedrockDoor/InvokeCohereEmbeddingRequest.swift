import SwitchyardModel

/// Cohere embeddings: `{"texts", "input_type", "truncate", "embedding_types"}`. Only float vectors can be produced
/// from another provider's embeddings; image inputs have no canonical form.
struct InvokeCohereEmbeddingRequest: Decodable {
    let value: EmbeddingRequest
    /// Whether `embedding_types` was given, which makes the answer `embeddings_by_type`.
    let byType: Bool

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        if c.contains("images") { throw c.unsupported("images", "Cohere image embeddings") }
        let typesKey: ConverseWireKey = "embedding_types"
        let types = try c.decodeIfPresent([String].self, forKey: typesKey)
        if let other = types?.first(where: { $0 != "float" }) {
            throw c.unsupported(typesKey, "the embedding type '\(other)' (only float is)")
        }
        let textsKey: ConverseWireKey = "texts"
        try c.require(textsKey)
        let texts = try c.decode([String].self, forKey: textsKey)
        if texts.isEmpty { throw c.failure(textsKey, "must contain at least one text") }
        value = EmbeddingRequest(inputs: texts, purpose: try c.decodeIfPresent(String.self, forKey: "input_type"))
        byType = types != nil
    }
}
