import SwitchyardModel

/// `{"role": "user" | "assistant", "content": [ContentBlock]}`
struct ConverseWireMessage: Decodable {
    let value: Message

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let role = try c.oneOf("role", [("user", Role.user), ("assistant", Role.assistant)])
        let content = try c.decode([ConverseWireContentBlock].self, forKey: "content")
        if content.isEmpty { throw c.failure("content", "must contain at least one content block") }
        value = Message(role: role, content: content.map(\.value))
    }
}
