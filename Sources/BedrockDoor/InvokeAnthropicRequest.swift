import SwitchyardModel

/// An Anthropic Messages body as Bedrock takes it: `anthropic_version`, `max_tokens`, `system`, `messages`, `tools`,
/// `tool_choice`, sampling members, `thinking`. Members only Anthropic's API knows (`top_k`, `thinking`,
/// `anthropic_beta`) travel as extra fields, which other providers leave out.
struct InvokeAnthropicRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let messagesKey: ConverseWireKey = "messages"
        try c.require(messagesKey)
        let messages = try c.decode([InvokeAnthropicMessage].self, forKey: messagesKey).map(\.value)
        if messages.isEmpty { throw c.failure(messagesKey, "must contain at least one message") }

        let systemKey: ConverseWireKey = "system"
        let system = try c.decodeIfPresent(InvokeAnthropicContent.self, forKey: systemKey)?.parts ?? []
        for part in system {
            switch part {
            case .text, .cachePoint: continue
            default: throw c.failure(systemKey, "may hold text blocks only")
            }
        }

        var inference = InferenceConfig()
        inference.maxTokens = try c.positiveInt("max_tokens")
        inference.temperature = try c.number("temperature")
        inference.topP = try c.number("top_p")
        inference.stopSequences = try c.stopSequences("stop_sequences")

        var tools = try c.decodeIfPresent([InvokeAnthropicTool].self, forKey: "tools")?.map(\.value) ?? []
        let choiceKey: ConverseWireKey = "tool_choice"
        var choice: ToolChoice?
        switch try c.decodeIfPresent(InvokeAnthropicToolChoice.self, forKey: choiceKey) {
        case .never?:
            // The canonical model has no "never call a tool"; offering no tools means the same.
            tools = []
        case .choice(let picked)?:
            if case .tool(let name) = picked, !tools.contains(where: { $0.name == name }) {
                throw ConverseDecodingFailure(c.codingPath + [choiceKey, ConverseWireKey("name")], "'\(name)' is not the name of a tool in tools")
            }
            choice = picked
        case nil:
            break
        }

        var additional: [String: JSONValue] = [:]
        try c.passThrough(["top_k", "thinking", "anthropic_beta"], into: &additional)

        value = ChatRequest(
            system: system, messages: messages, inference: inference, tools: tools,
            toolChoice: tools.isEmpty ? nil : choice, additionalFields: additional)
    }
}
