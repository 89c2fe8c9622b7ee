import SwitchyardModel

/// Mistral's completion body: `{"prompt", "max_tokens", "temperature", "top_p", "top_k", "stop"}`. `top_k` has no
/// canonical place and is not forwarded.
struct InvokeMistralRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let (system, messages) = InvokePromptTemplate.conversation(try c.nonEmptyString("prompt"))
        let inference = InferenceConfig(
            maxTokens: try c.positiveInt("max_tokens"), temperature: try c.number("temperature"),
            topP: try c.number("top_p"), stopSequences: try c.stopSequences("stop"))
        value = ChatRequest(system: system, messages: messages, inference: inference)
    }
}
