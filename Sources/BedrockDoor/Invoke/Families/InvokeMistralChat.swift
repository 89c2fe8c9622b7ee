import Foundation
import NIOCore
import SwitchyardModel

/// Mistral chat answers: `{"id", "object", "model", "choices": [{"index", "message": {"role", "content",
/// "tool_calls"}, "stop_reason"}], "usage"}`; streamed as `choices` chunks, each tool call whole in one chunk.
enum InvokeMistralChatCodec: InvokeTextFormat {
    static func decodeChat(from decoder: any Decoder) throws -> ChatRequest {
        try InvokeMistralChatRequest(from: decoder).value
    }

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
                arguments.writeJSONValue(call.input)
                writeCall(id: call.id, name: call.name, arguments: String(buffer: arguments), into: &b)
            }
            b.writeStaticString("]")
        }
        b.writeStaticString("},\"stop_reason\":")
        b.writeStaticString(InvokeMistralCodec.stopReason(response.stopReason))
        let usage = response.usage
        let input = usage.allInputTokens
        b.writeStaticString("}],\"usage\":{\"prompt_tokens\":")
        b.writeJSONInt(input)
        b.writeStaticString(",\"completion_tokens\":")
        b.writeJSONInt(usage.outputTokens)
        b.writeStaticString(",\"total_tokens\":")
        b.writeJSONInt(input + usage.outputTokens)
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
        b.writeStaticString(InvokeMistralCodec.stopReason(end.stopReason))
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

/// Mistral's chat body on Bedrock: `{"messages": [{"role": "system" | "user" | "assistant" | "tool", "content",
/// "tool_calls", "tool_call_id"}], "tools": [{"type": "function", "function"}], "tool_choice", "max_tokens",
/// "temperature", "top_p"}`. Tool messages become tool results in the user turn that follows the call.
struct InvokeMistralChatRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let messagesKey: WireKey = "messages"
        try c.require(messagesKey)
        var system: [ContentPart] = []
        var messages: [Message] = []
        for entry in try c.decode([InvokeMistralChatMessage].self, forKey: messagesKey) {
            guard let role = entry.role else {
                system.append(contentsOf: entry.parts)
                continue
            }
            if let last = messages.last, last.role == role {
                messages[messages.count - 1].content += entry.parts
            } else {
                messages.append(Message(role: role, content: entry.parts))
            }
        }
        if messages.isEmpty { throw c.failure(messagesKey, "must contain at least one user or assistant message") }

        let tools = try c.decodeIfPresent([InvokeMistralChatTool].self, forKey: "tools")?.map(\.value) ?? []
        let choice = try Self.toolChoice(c, tools: tools)
        let inference = InferenceConfig(
            maxTokens: try c.positiveInt("max_tokens"), temperature: try c.number("temperature"),
            topP: try c.number("top_p"), stopSequences: try c.stopSequences("stop"))
        value = ChatRequest(
            system: system, messages: messages, inference: inference,
            tools: choice == .never ? [] : tools, toolChoice: choice?.canonical)
    }

    private enum Choice: Equatable {
        case never
        case pick(ToolChoice)

        var canonical: ToolChoice? {
            if case .pick(let choice) = self { return choice }
            return nil
        }
    }

    /// `"auto" | "any" | "required" | "none"` or `{"type": "function", "function": {"name"}}`.
    private static func toolChoice(_ c: KeyedDecodingContainer<WireKey>, tools: [ToolSpec]) throws -> Choice? {
        let key: WireKey = "tool_choice"
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        if let word = try? c.decode(String.self, forKey: key) {
            switch word {
            case "auto": return .pick(.auto)
            case "any", "required": return .pick(.any)
            case "none": return .never
            default: throw c.failure(key, "'\(word)' is not one of auto, any, required, none")
            }
        }
        let named = try c.nestedContainer(keyedBy: WireKey.self, forKey: key)
        let function = try named.nestedContainer(keyedBy: WireKey.self, forKey: "function")
        let name = try function.nonEmptyString("name")
        if !tools.contains(where: { $0.name == name }) {
            throw function.failure("name", "'\(name)' is not the name of a tool in tools")
        }
        return .pick(.tool(name))
    }
}

/// One chat message; a nil role is a system message.
struct InvokeMistralChatMessage: Decodable {
    let role: Role?
    let parts: [ContentPart]

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let roleKey: WireKey = "role"
        let name = try c.decode(String.self, forKey: roleKey)
        let text = try Self.text(c)
        switch name {
        case "system":
            role = nil
            parts = text.isEmpty ? [] : [.text(text)]
        case "user":
            role = .user
            parts = text.isEmpty ? [] : [.text(text)]
        case "assistant":
            role = .assistant
            var parts: [ContentPart] = text.isEmpty ? [] : [.text(text)]
            for call in try c.decodeIfPresent([InvokeMistralChatToolCall].self, forKey: "tool_calls") ?? [] {
                parts.append(.toolUse(call.value))
            }
            self.parts = parts
        case "tool":
            role = .user
            parts = [.toolResult(ToolResult(toolUseId: try c.nonEmptyString("tool_call_id"), content: [.text(text)], isError: false))]
        default:
            throw c.failure(roleKey, "'\(name)' is not one of system, user, assistant, tool")
        }
    }

    /// `"content"` as a string or a list of `{"type": "text", "text"}` parts.
    static func text(_ c: KeyedDecodingContainer<WireKey>) throws -> String {
        let key: WireKey = "content"
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return "" }
        if let text = try? c.decode(String.self, forKey: key) { return text }
        var texts: [String] = []
        for part in try c.decode([TextPart].self, forKey: key) { texts.append(part.text) }
        return texts.joined(separator: "\n")
    }

    private struct TextPart: Decodable {
        let text: String

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: WireKey.self)
            let type = try c.decode(String.self, forKey: "type")
            guard type == "text" else { throw c.unsupported("type", "Mistral '\(type)' content") }
            text = try c.decode(String.self, forKey: "text")
        }
    }
}

/// `{"type": "function", "function": {"name", "description", "parameters"}}`
struct InvokeMistralChatTool: Decodable {
    let value: ToolSpec

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let function = try c.nestedContainer(keyedBy: WireKey.self, forKey: "function")
        value = ToolSpec(
            name: try function.nonEmptyString("name"),
            description: try function.decodeIfPresent(String.self, forKey: "description"),
            inputSchema: try function.decodeIfPresent(JSONValue.self, forKey: "parameters") ?? ["type": "object"])
    }
}

/// `{"id", "type": "function", "function": {"name", "arguments": "<JSON text>"}}`
struct InvokeMistralChatToolCall: Decodable {
    let value: ToolUse

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let function = try c.nestedContainer(keyedBy: WireKey.self, forKey: "function")
        let arguments = try function.decodeIfPresent(String.self, forKey: "arguments") ?? ""
        let input = arguments.isEmpty
            ? JSONValue.object([:])
            : (try? JSONDecoder().decode(JSONValue.self, from: Data(arguments.utf8))) ?? .string(arguments)
        value = ToolUse(id: try c.nonEmptyString("id"), name: try function.nonEmptyString("name"), input: input)
    }
}
