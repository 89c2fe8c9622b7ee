import Foundation
import NIOCore
import SwitchyardModel

/// Cohere Command R answers: `{"response_id", "text", "generation_id", "finish_reason", "meta": {"billed_units"}}`;
/// streamed as `text-generation` events and a closing `stream-end`.
enum InvokeCohereChatCodec: InvokeTextFormat {
    static func decodeChat(from decoder: any Decoder) throws -> ChatRequest {
        try InvokeCohereChatRequest(from: decoder).value
    }

    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer) {
        let usage = response.usage
        b.writeStaticString("{\"response_id\":")
        b.writeJSONString(UUID().uuidString.lowercased())
        b.writeStaticString(",\"text\":")
        b.writeJSONString(text(of: response))
        b.writeStaticString(",\"generation_id\":")
        b.writeJSONString(UUID().uuidString.lowercased())
        b.writeStaticString(",\"finish_reason\":")
        b.writeStaticString(InvokeCohereCodec.finishReason(response.stopReason))
        b.writeStaticString(",\"meta\":{\"billed_units\":{\"input_tokens\":")
        b.writeJSONInt(usage.allInputTokens)
        b.writeStaticString(",\"output_tokens\":")
        b.writeJSONInt(usage.outputTokens)
        b.writeStaticString("}}}")
    }

    static func writeTextChunk(_ text: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"event_type\":\"text-generation\",\"text\":")
        b.writeJSONString(text)
        b.writeStaticString(",\"is_finished\":false}")
    }

    static func writeFinalChunk(_ end: InvokeStreamEnd, into b: inout ByteBuffer) {
        b.writeStaticString("{\"event_type\":\"stream-end\",\"is_finished\":true,\"finish_reason\":")
        b.writeStaticString(InvokeCohereCodec.finishReason(end.stopReason))
        b.writeStaticString(",")
        end.metrics.writeMember(into: &b)
        b.writeStaticString("}")
    }
}

/// Cohere Command R's body: `{"message", "chat_history": [{"role": "USER" | "CHATBOT" | "SYSTEM", "message"}],
/// "preamble", "max_tokens", "temperature", "p", "k", "stop_sequences"}`.
struct InvokeCohereChatRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        for key: WireKey in ["documents", "tools", "tool_results"] where c.contains(key) {
            throw c.unsupported(key, "Cohere '\(key.stringValue)'")
        }
        var system: [ContentPart] = []
        if let preamble = try c.decodeIfPresent(String.self, forKey: "preamble"), !preamble.isEmpty {
            system.append(.text(preamble))
        }
        var messages: [Message] = []
        for turn in try c.decodeIfPresent([Turn].self, forKey: "chat_history") ?? [] {
            switch turn.role {
            case nil: system.append(.text(turn.message))
            case let role?: messages.append(Message(role: role, content: [.text(turn.message)]))
            }
        }
        messages.append(Message(role: .user, content: [.text(try c.nonEmptyString("message"))]))
        let inference = InferenceConfig(
            maxTokens: try c.positiveInt("max_tokens"), temperature: try c.number("temperature"),
            topP: try c.number("p"), stopSequences: try c.stopSequences("stop_sequences"))
        value = ChatRequest(system: system, messages: messages, inference: inference)
    }

    /// One history entry; a nil role is a SYSTEM entry.
    private struct Turn: Decodable {
        let role: Role?
        let message: String

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: WireKey.self)
            let roles: [(String, Role?)] = [("USER", .user), ("CHATBOT", .assistant), ("SYSTEM", nil)]
            role = try c.oneOf("role", roles)
            message = try c.decode(String.self, forKey: "message")
        }
    }
}
