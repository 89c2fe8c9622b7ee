import Foundation
import NIOCore
import SwitchyardModel

/// Cohere Command answers: `{"id", "generations": [{"id", "text", "finish_reason", "index"}]}`; streamed as
/// `{"text", "is_finished": false}` chunks and a closing `{"is_finished": true, "finish_reason"}`.
enum InvokeCohereFormat: InvokeTextFormat {
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
