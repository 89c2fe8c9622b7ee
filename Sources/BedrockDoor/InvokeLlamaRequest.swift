import SwitchyardModel

/// Meta Llama's body: `{"prompt", "max_gen_len", "temperature", "top_p"}`.
struct InvokeLlamaRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        if c.contains("images") { throw c.unsupported("images", "Llama image input") }
        let (system, messages) = InvokePromptTemplate.conversation(try c.nonEmptyString("prompt"))
        let inference = InferenceConfig(
            maxTokens: try c.positiveInt("max_gen_len"), temperature: try c.number("temperature"), topP: try c.number("top_p"))
        value = ChatRequest(system: system, messages: messages, inference: inference)
    }
}
