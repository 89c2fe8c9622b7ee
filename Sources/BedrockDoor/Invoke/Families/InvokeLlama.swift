import NIOCore
import SwitchyardModel

/// Meta Llama answers: `{"generation", "prompt_token_count", "generation_token_count", "stop_reason"}`; streamed as
/// the same shape with partial generations, counts and stop reason null until the last chunk.
enum InvokeLlamaCodec: InvokeTextFormat {
    static func decodeChat(from decoder: any Decoder) throws -> ChatRequest {
        try InvokeLlamaRequest(from: decoder).value
    }

    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer) {
        write(text(of: response), usage: response.usage, stop: response.stopReason, into: &b)
        b.writeStaticString("}")
    }

    static func writeTextChunk(_ text: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"generation\":")
        b.writeJSONString(text)
        b.writeStaticString(",\"prompt_token_count\":null,\"generation_token_count\":null,\"stop_reason\":null}")
    }

    static func writeFinalChunk(_ end: InvokeStreamEnd, into b: inout ByteBuffer) {
        write("", usage: end.usage, stop: end.stopReason, into: &b)
        b.writeStaticString(",")
        end.metrics.writeMember(into: &b)
        b.writeStaticString("}")
    }

    private static func write(_ text: String, usage: Usage, stop: StopReason, into b: inout ByteBuffer) {
        b.writeStaticString("{\"generation\":")
        b.writeJSONString(text)
        b.writeStaticString(",\"prompt_token_count\":")
        b.writeJSONInt(usage.allInputTokens)
        b.writeStaticString(",\"generation_token_count\":")
        b.writeJSONInt(usage.outputTokens)
        b.writeStaticString(",\"stop_reason\":")
        switch stop {
        case .maxTokens, .contextWindowExceeded: b.writeStaticString("\"length\"")
        default: b.writeStaticString("\"stop\"")
        }
    }
}

/// Meta Llama's body: `{"prompt", "max_gen_len", "temperature", "top_p"}`.
struct InvokeLlamaRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        if c.contains("images") { throw c.unsupported("images", "Llama image input") }
        let (system, messages) = InvokePromptTemplate.conversation(try c.nonEmptyString("prompt"))
        let inference = InferenceConfig(
            maxTokens: try c.positiveInt("max_gen_len"), temperature: try c.number("temperature"), topP: try c.number("top_p"))
        value = ChatRequest(system: system, messages: messages, inference: inference)
    }
}
