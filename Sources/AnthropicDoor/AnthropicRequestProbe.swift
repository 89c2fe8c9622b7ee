/// What the route must know of a body before deciding whether to forward it as it is: the model it names, whether
/// it streams, its output cap (which a budget reserves), and that it has the members every Messages call needs —
/// a body that lacks them is read whole, so the answer names the member as the gateway would.
struct AnthropicRequestProbe: Decodable {
    var model: String?
    var stream: Bool?
    var maxTokens: Int?
    var messageCount = 0

    enum CodingKeys: String, CodingKey {
        case model, stream, messages
        case maxTokens = "max_tokens"
    }

    /// Any value, left unread.
    private struct Skipped: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try? c.decodeIfPresent(String.self, forKey: .model)
        stream = try? c.decodeIfPresent(Bool.self, forKey: .stream)
        maxTokens = try? c.decodeIfPresent(Int.self, forKey: .maxTokens)
        messageCount = (try? c.decodeIfPresent([Skipped].self, forKey: .messages))?.count ?? 0
    }

    /// The model to forward for, when the body has what a forwarded call needs.
    var forwardable: String? {
        guard let model, !model.isEmpty, (maxTokens ?? 0) >= 1, messageCount > 0 else { return nil }
        return model
    }
}
