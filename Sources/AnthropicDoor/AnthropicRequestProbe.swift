/// What the route must know of a body before deciding whether to read it whole: the model it names, whether it
/// streams, and its output cap (which a budget reserves for a forwarded call).
struct AnthropicRequestProbe: Decodable {
    var model: String?
    var stream: Bool?
    var maxTokens: Int?

    enum CodingKeys: String, CodingKey {
        case model, stream
        case maxTokens = "max_tokens"
    }

    /// Odd members are left for the full decoder (or Anthropic) to name precisely.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try? c.decodeIfPresent(String.self, forKey: .model)
        stream = try? c.decodeIfPresent(Bool.self, forKey: .stream)
        maxTokens = try? c.decodeIfPresent(Int.self, forKey: .maxTokens)
    }
}
