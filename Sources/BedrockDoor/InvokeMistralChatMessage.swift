import SwitchyardModel

/// One chat message; a nil role is a system message.
struct InvokeMistralChatMessage: Decodable {
    let role: Role?
    let parts: [ContentPart]

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let roleKey: ConverseWireKey = "role"
        let name = try c.decode(String.self, forKey: roleKey)
        let text = try Self.text(c)
        switch name {
        case "system":
            role = nil
            parts = text.isEmpty ? [] : [.text(text)]
        case "user":
            role = .user
            parts = text.isEmpty ? [] : [.text(text)]
        case "assistant":
            role = .assistant
            var parts: [ContentPart] = text.isEmpty ? [] : [.text(text)]
            for call in try c.decodeIfPresent([InvokeMistralChatToolCall].self, forKey: "tool_calls") ?? [] {
                parts.append(.toolUse(call.value))
            }
            self.parts = parts
        case "tool":
            role = .user
            parts = [.toolResult(ToolResult(toolUseId: try c.nonEmptyString("tool_call_id"), content: [.text(text)], isError: false))]
        default:
            throw c.failure(roleKey, "'\(name)' is not one of system, user, assistant, tool")
        }
    }

    /// `"content"` as a string or a list of `{"type": "text", "text"}` parts.
    static func text(_ c: KeyedDecodingContainer<ConverseWireKey>) throws -> String {
        let key: ConverseWireKey = "content"
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return "" }
        if let text = try? c.decode(String.self, forKey: key) { return text }
        var texts: [String] = []
        for part in try c.decode([TextPart].self, forKey: key) { texts.append(part.text) }
        return texts.joined(separator: "\n")
    }

    private struct TextPart: Decodable {
        let text: String

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: ConverseWireKey.self)
            let type = try c.decode(String.self, forKey: "type")
            guard type == "text" else { throw c.unsupported("type", "Mistral '\(type)' content") }
            text = try c.decode(String.self, forKey: "text")
        }
    }
}
