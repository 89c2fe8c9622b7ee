import SwitchyardModel

/// Content: a plain string, or a list of typed blocks (each possibly followed by its cache point).
struct AnthropicWireContent: Decodable {
    let parts: [ContentPart]

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let text = try? single.decode(String.self) {
            parts = [.text(text)]
        } else {
            parts = try single.decode([AnthropicWireBlock].self).flatMap(\.parts)
        }
    }
}

/// `{"role": "user" | "assistant", "content": "…" | [block]}`
struct AnthropicWireMessage: Decodable {
    let value: Message

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let role = try c.oneOf("role", [("user", Role.user), ("assistant", Role.assistant)])
        try c.require("content")
        value = Message(role: role, content: try c.decode(AnthropicWireContent.self, forKey: "content").parts)
    }
}
