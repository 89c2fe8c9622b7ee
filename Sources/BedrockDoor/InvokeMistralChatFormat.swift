import Foundation
import NIOCore
import SwitchyardModel

/// Mistral chat answers: `{"id", "object", "model", "choices": [{"index", "message": {"role", "content",
/// "tool_calls"}, "stop_reason"}], "usage"}`; streamed as `choices` chunks, each tool call whole in one chunk.
enum InvokeMistralChatFormat: InvokeTextFormat {
    static var streamsToolCalls: Bool { true }

    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"id\":")
        b.writeJSONString(UUID().uuidString.lowercased())
        b.writeStaticString(",\"object\":\"chat.completion\",\"model\":")
        b.writeJSONString(modelId)
        b.writeStaticString(",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":")
        b.writeJSONString(text(of: response))
        var calls: [ToolUse] = []
        for part in response.content {
            if case .toolUse(let use) = part { calls.append(use) }
        }
        if !calls.isEmpty {
            b.writeStaticString(",\"tool_calls\":[")
            for (i, call) in calls.enumerated() {
                if i > 0 { b.writeStaticString(",") }
                var arguments = ByteBuffer()
                ConverseJSONWriter.writeValue(call.input, into: &arguments)
                writeCall(id: call.id, name: call.name, arguments: String(buffer: arguments), into: &b)
            }
            b.writeStaticString("]")
        }
        b.writeStaticString("},\"stop_reason\":")
        b.writeStaticString(InvokeMistralFormat.stopReason(response.stopReason))
        let usage = response.usage
        let input = usage.allInputTokens
        b.writeStaticString("}],\"usage\":{\"prompt_tokens\":")
        ConverseJSONWriter.writeInt(input, into: &b)
        b.writeStaticString(",\"completion_tokens\":")
        ConverseJSONWriter.writeInt(usage.outputTokens, into: &b)
        b.writeStaticString(",\"total_tokens\":")
        ConverseJSONWriter.writeInt(input + usage.outputTokens, into: &b)
        b.writeStaticString("}}")
    }

    static func writeTextChunk(_ text: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":")
        b.writeJSONString(text)
        b.writeStaticString("},\"stop_reason\":null}]}")
    }

    static func writeToolCallChunk(id: String, name: String, arguments: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[")
        writeCall(id: id, name: name, arguments: arguments.isEmpty ? "{}" : arguments, into: &b)
        b.writeStaticString("]},\"stop_reason\":null}]}")
    }

    static func writeFinalChunk(_ end: InvokeStreamEnd, into b: inout ByteBuffer) {
        b.writeStaticString("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"stop_reason\":")
        b.writeStaticString(InvokeMistralFormat.stopReason(end.stopReason))
        b.writeStaticString("}],")
        end.metrics.writeMember(into: &b)
        b.writeStaticString("}")
    }

    private static func writeCall(id: String, name: String, arguments: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"id\":")
        b.writeJSONString(id)
        b.writeStaticString(",\"type\":\"function\",\"function\":{\"name\":")
        b.writeJSONString(name)
        b.writeStaticString(",\"arguments\":")
        b.writeJSONString(arguments)
        b.writeStaticString("}}")
    }
}
