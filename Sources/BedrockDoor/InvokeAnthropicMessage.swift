import SwitchyardModel

/// `{"role": "user" | "assistant", "content": "…" | [block]}`
struct InvokeAnthropicMessage: Decodable {
    let value: Message

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let role = try c.oneOf("role", [("user", Role.user), ("assistant", Role.assistant)])
        try c.require("content")
        let content = try c.decode(InvokeAnthropicContent.self, forKey: "content").parts
        value = Message(role: role, content: content)
    }
}
