import NIOCore
import SwitchyardModel

/// Mistral completion answers: `{"outputs": [{"text", "stop_reason"}]}`, streamed as the same shape with partial
/// text and a null stop reason until the last chunk.
enum InvokeMistralCodec: InvokeTextFormat {
    static func decodeChat(from decoder: any Decoder) throws -> ChatRequest {
        try InvokeMistralRequest(from: decoder).value
    }

    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer) {
        writeOutput(text(of: response), stop: response.stopReason, into: &b)
        b.writeStaticString("}")
    }

    static func writeTextChunk(_ text: String, into b: inout ByteBuffer) {
        writeOutput(text, stop: nil, into: &b)
        b.writeStaticString("}")
    }

    static func writeFinalChunk(_ end: InvokeStreamEnd, into b: inout ByteBuffer) {
        writeOutput("", stop: end.stopReason, into: &b)
        b.writeStaticString(",")
        end.metrics.writeMember(into: &b)
        b.writeStaticString("}")
    }

    /// `{"outputs":[…]` without the closing brace, so the last chunk can add its metrics.
    private static func writeOutput(_ text: String, stop: StopReason?, into b: inout ByteBuffer) {
        b.writeStaticString("{\"outputs\":[{\"text\":")
        b.writeJSONString(text)
        b.writeStaticString(",\"stop_reason\":")
        if let stop {
            b.writeStaticString(stopReason(stop))
        } else {
            b.writeStaticString("null")
        }
        b.writeStaticString("}]")
    }

    static func stopReason(_ reason: StopReason) -> StaticString {
        switch reason {
        case .maxTokens, .contextWindowExceeded: "\"length\""
        case .toolUse: "\"tool_calls\""
        default: "\"stop\""
        }
    }
}

/// Mistral's completion body: `{"prompt", "max_tokens", "temperature", "top_p", "top_k", "stop"}`. `top_k` has no
/// canonical place and is not forwarded.
struct InvokeMistralRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let (system, messages) = InvokePromptTemplate.conversation(try c.nonEmptyString("prompt"))
        let inference = InferenceConfig(
            maxTokens: try c.positiveInt("max_tokens"), temperature: try c.number("temperature"),
            topP: try c.number("top_p"), stopSequences: try c.stopSequences("stop"))
        value = ChatRequest(system: system, messages: messages, inference: inference)
    }
}
