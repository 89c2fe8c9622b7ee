import SwitchyardModel

/// Cohere Command's body: `{"prompt", "max_tokens", "temperature", "p", "k", "stop_sequences"}`. `k` has no
/// canonical place and is not forwarded; `num_generations` above 1 cannot be honoured.
struct InvokeCohereRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        if let n = try c.decodeIfPresent(Int.self, forKey: "num_generations"), n > 1 {
            throw c.unsupported("num_generations", "more than one generation")
        }
        let prompt = try c.nonEmptyString("prompt")
        let inference = InferenceConfig(
            maxTokens: try c.positiveInt("max_tokens"), temperature: try c.number("temperature"),
            topP: try c.number("p"), stopSequences: try c.stopSequences("stop_sequences"))
        value = ChatRequest(messages: [Message(role: .user, content: [.text(prompt)])], inference: inference)
    }
}
