import SwitchyardModel

/// Anthropic content: a plain string, or a list of typed blocks (each possibly followed by its cache point).
struct InvokeAnthropicContent: Decodable {
    let parts: [ContentPart]

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let text = try? single.decode(String.self) {
            parts = [.text(text)]
        } else {
            parts = try single.decode([InvokeAnthropicBlock].self).flatMap(\.parts)
        }
    }
}
