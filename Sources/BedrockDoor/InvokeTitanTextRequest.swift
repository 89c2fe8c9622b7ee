import SwitchyardModel

/// Amazon Titan Text's body: `{"inputText", "textGenerationConfig": {"maxTokenCount", "temperature", "topP",
/// "stopSequences"}}`.
struct InvokeTitanTextRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let text = try c.nonEmptyString("inputText")
        var inference = InferenceConfig()
        let configKey: ConverseWireKey = "textGenerationConfig"
        if c.contains(configKey), try !c.decodeNil(forKey: configKey) {
            let config = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: configKey)
            inference.maxTokens = try config.positiveInt("maxTokenCount")
            inference.temperature = try config.number("temperature")
            inference.topP = try config.number("topP")
            inference.stopSequences = try config.stopSequences("stopSequences")
        }
        value = ChatRequest(messages: [Message(role: .user, content: [.text(text)])], inference: inference)
    }
}
