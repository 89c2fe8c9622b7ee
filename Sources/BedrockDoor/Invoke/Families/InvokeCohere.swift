import Foundation
import NIOCore
import SwitchyardModel

/// Cohere Command answers: `{"id", "generations": [{"id", "text", "finish_reason", "index"}]}`; streamed as
/// `{"text", "is_finished": false}` chunks and a closing `{"is_finished": true, "finish_reason"}`.
enum InvokeCohereCodec: InvokeTextFormat {
    static func decodeChat(from decoder: any Decoder) throws -> ChatRequest {
        try InvokeCohereRequest(from: decoder).value
    }

    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"id\":")
        b.writeJSONString(UUID().uuidString.lowercased())
        b.writeStaticString(",\"generations\":[{\"id\":")
        b.writeJSONString(UUID().uuidString.lowercased())
        b.writeStaticString(",\"text\":")
        b.writeJSONString(text(of: response))
        b.writeStaticString(",\"finish_reason\":")
        b.writeStaticString(finishReason(response.stopReason))
        b.writeStaticString(",\"index\":0}]}")
    }

    static func writeTextChunk(_ text: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"text\":")
        b.writeJSONString(text)
        b.writeStaticString(",\"is_finished\":false}")
    }

    static func writeFinalChunk(_ end: InvokeStreamEnd, into b: inout ByteBuffer) {
        b.writeStaticString("{\"is_finished\":true,\"finish_reason\":")
        b.writeStaticString(finishReason(end.stopReason))
        b.writeStaticString(",")
        end.metrics.writeMember(into: &b)
        b.writeStaticString("}")
    }

    static func finishReason(_ reason: StopReason) -> StaticString {
        switch reason {
        case .maxTokens, .contextWindowExceeded: "\"MAX_TOKENS\""
        case .contentFiltered, .guardrailIntervened: "\"ERROR_TOXIC\""
        default: "\"COMPLETE\""
        }
    }
}

/// Cohere Command's body: `{"prompt", "max_tokens", "temperature", "p", "k", "stop_sequences"}`. `k` has no
/// canonical place and is not forwarded; `num_generations` above 1 cannot be honoured.
struct InvokeCohereRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
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
