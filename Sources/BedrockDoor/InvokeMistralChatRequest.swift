import SwitchyardModel

/// Mistral's chat body on Bedrock: `{"messages": [{"role": "system" | "user" | "assistant" | "tool", "content",
/// "tool_calls", "tool_call_id"}], "tools": [{"type": "function", "function"}], "tool_choice", "max_tokens",
/// "temperature", "top_p"}`. Tool messages become tool results in the user turn that follows the call.
struct InvokeMistralChatRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let messagesKey: ConverseWireKey = "messages"
        try c.require(messagesKey)
        var system: [ContentPart] = []
        var messages: [Message] = []
        for entry in try c.decode([InvokeMistralChatMessage].self, forKey: messagesKey) {
            guard let role = entry.role else {
                system.append(contentsOf: entry.parts)
                continue
            }
            if let last = messages.last, last.role == role {
                messages[messages.count - 1].content += entry.parts
            } else {
                messages.append(Message(role: role, content: entry.parts))
            }
        }
        if messages.isEmpty { throw c.failure(messagesKey, "must contain at least one user or assistant message") }

        let tools = try c.decodeIfPresent([InvokeMistralChatTool].self, forKey: "tools")?.map(\.value) ?? []
        let choice = try Self.toolChoice(c, tools: tools)
        let inference = InferenceConfig(
            maxTokens: try c.positiveInt("max_tokens"), temperature: try c.number("temperature"),
            topP: try c.number("top_p"), stopSequences: try c.stopSequences("stop"))
        value = ChatRequest(
            system: system, messages: messages, inference: inference,
            tools: choice == .never ? [] : tools, toolChoice: choice?.canonical)
    }

    private enum Choice: Equatable {
        case never
        case pick(ToolChoice)

        var canonical: ToolChoice? {
            if case .pick(let choice) = self { return choice }
            return nil
        }
    }

    /// `"auto" | "any" | "required" | "none"` or `{"type": "function", "function": {"name"}}`.
    private static func toolChoice(_ c: KeyedDecodingContainer<ConverseWireKey>, tools: [ToolSpec]) throws -> Choice? {
        let key: ConverseWireKey = "tool_choice"
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        if let word = try? c.decode(String.self, forKey: key) {
            switch word {
            case "auto": return .pick(.auto)
            case "any", "required": return .pick(.any)
            case "none": return .never
            default: throw c.failure(key, "'\(word)' is not one of auto, any, required, none")
            }
        }
        let named = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: key)
        let function = try named.nestedContainer(keyedBy: ConverseWireKey.self, forKey: "function")
        let name = try function.nonEmptyString("name")
        if !tools.contains(where: { $0.name == name }) {
            throw function.failure("name", "'\(name)' is not the name of a tool in tools")
        }
        return .pick(.tool(name))
    }
}
