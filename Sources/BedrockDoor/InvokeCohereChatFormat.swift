import Foundation
import NIOCore
import SwitchyardModel

/// Cohere Command R answers: `{"response_id", "text", "generation_id", "finish_reason", "meta": {"billed_units"}}`;
/// streamed as `text-generation` events and a closing `stream-end`.
enum InvokeCohereChatFormat: InvokeTextFormat {
    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer) {
        let usage = response.usage
        b.writeStaticString("{\"response_id\":")
        b.writeJSONString(UUID().uuidString.lowercased())
        b.writeStaticString(",\"text\":")
        b.writeJSONString(text(of: response))
        b.writeStaticString(",\"generation_id\":")
        b.writeJSONString(UUID().uuidString.lowercased())
        b.writeStaticString(",\"finish_reason\":")
        b.writeStaticString(InvokeCohereFormat.finishReason(response.stopReason))
        b.writeStaticString(",\"meta\":{\"billed_units\":{\"input_tokens\":")
        ConverseJSONWriter.writeInt(usage.allInputTokens, into: &b)
        b.writeStaticString(",\"output_tokens\":")
        ConverseJSONWriter.writeInt(usage.outputTokens, into: &b)
        b.writeStaticString("}}}")
    }

    static func writeTextChunk(_ text: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"event_type\":\"text-generation\",\"text\":")
        b.writeJSONString(text)
        b.writeStaticString(",\"is_finished\":false}")
    }

    static func writeFinalChunk(_ end: InvokeStreamEnd, into b: inout ByteBuffer) {
        b.writeStaticString("{\"event_type\":\"stream-end\",\"is_finished\":true,\"finish_reason\":")
        b.writeStaticString(InvokeCohereFormat.finishReason(end.stopReason))
        b.writeStaticString(",")
        end.metrics.writeMember(into: &b)
        b.writeStaticString("}")
    }
}
