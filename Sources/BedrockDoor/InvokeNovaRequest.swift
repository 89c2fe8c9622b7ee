import SwitchyardModel

/// An Amazon Nova body (`schemaVersion: "messages-v1"`). Its messages, system blocks and toolConfig are Converse's
/// own shapes, so Converse's decoders read them; `inferenceConfig` accepts both spellings Nova documents
/// (`maxTokens` / `max_new_tokens`, `topP` / `top_p`). `topK` has no canonical place and is not forwarded.
struct InvokeNovaRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let messagesKey: ConverseWireKey = "messages"
        try c.require(messagesKey)
        let messages = try c.decode([ConverseWireMessage].self, forKey: messagesKey).map(\.value)
        if messages.isEmpty { throw c.failure(messagesKey, "must contain at least one message") }
        let system = try c.decodeIfPresent([ConverseWireSystemBlock].self, forKey: "system")?.map(\.value) ?? []
        let toolConfig = try c.decodeIfPresent(ConverseWireToolConfig.self, forKey: "toolConfig")

        var inference = InferenceConfig()
        let configKey: ConverseWireKey = "inferenceConfig"
        if c.contains(configKey), try !c.decodeNil(forKey: configKey) {
            let config = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: configKey)
            inference.maxTokens = try config.positiveInt("maxTokens") ?? config.positiveInt("max_new_tokens")
            inference.temperature = try config.number("temperature")
            inference.topP = try config.number("topP") ?? config.number("top_p")
            inference.stopSequences = try config.stopSequences("stopSequences")
        }
        value = ChatRequest(
            system: system, messages: messages, inference: inference,
            tools: toolConfig?.tools ?? [], toolChoice: toolConfig?.toolChoice)
    }
}
