import Foundation
import SwitchyardModel

/// An OpenAI Batch line's `body` (Chat Completions or Embeddings request) in the canonical model.
enum OpenAIRecordDecoder {
    static func decode(_ body: JSONValue, url: String?) throws -> BatchModelRequest {
        guard let object = body.objectValue else { throw invalid("body must be a JSON object") }
        if url?.hasSuffix("/embeddings") == true || (object["messages"] == nil && object["input"] != nil) {
            return .embedding(try embedding(object))
        }
        return .chat(try chat(object))
    }

    static func embedding(_ object: [String: JSONValue]) throws -> EmbeddingRequest {
        let inputs: [String]
        switch object["input"] {
        case .string(let text)?: inputs = [text]
        case .array(let items)?:
            inputs = try items.map { item in
                guard let text = item.stringValue else { throw invalid("body.input must be a string or a list of strings") }
                return text
            }
        default: throw invalid("body.input is required for an embeddings request")
        }
        return EmbeddingRequest(inputs: inputs, dimensions: object["dimensions"]?.intValue)
    }

    static func chat(_ object: [String: JSONValue]) throws -> ChatRequest {
        guard let messages = object["messages"]?.arrayValue, !messages.isEmpty else {
            throw invalid("body.messages must be a non-empty list")
        }
        var request = ChatRequest(messages: [])
        for (i, raw) in messages.enumerated() {
            guard let message = raw.objectValue, let role = message["role"]?.stringValue else {
                throw invalid("body.messages[\(i)] must be an object with a role")
            }
            switch role {
            case "system", "developer":
                request.system += try parts(message["content"], at: "body.messages[\(i)].content")
            case "user":
                append(.user, try parts(message["content"], at: "body.messages[\(i)].content"), to: &request.messages)
            case "assistant":
                var content = try parts(message["content"], at: "body.messages[\(i)].content", allowNull: true)
                for call in message["tool_calls"]?.arrayValue ?? [] {
                    let function = call["function"]
                    content.append(
                        .toolUse(
                            ToolUse(
                                id: call["id"]?.stringValue ?? "call_\(i)", name: function?["name"]?.stringValue ?? "",
                                input: document(function?["arguments"]?.stringValue ?? ""))))
                }
                append(.assistant, content, to: &request.messages)
            case "tool":
                let text = try parts(message["content"], at: "body.messages[\(i)].content").compactMap { part -> String? in
                    if case .text(let t) = part { return t }
                    return nil
                }.joined()
                let result = ToolResult(toolUseId: message["tool_call_id"]?.stringValue ?? "", content: [.text(text)], isError: false)
                append(.user, [.toolResult(result)], to: &request.messages)
            default:
                throw invalid("body.messages[\(i)].role '\(role)' is not one of system, developer, user, assistant, tool")
            }
        }
        request.inference = InferenceConfig(
            maxTokens: (object["max_completion_tokens"] ?? object["max_tokens"])?.intValue,
            temperature: object["temperature"]?.doubleValue, topP: object["top_p"]?.doubleValue,
            stopSequences: stops(object["stop"]))
        request.tools = (object["tools"]?.arrayValue ?? []).compactMap { tool in
            guard let function = tool["function"], let name = function["name"]?.stringValue else { return nil }
            return ToolSpec(
                name: name, description: function["description"]?.stringValue,
                inputSchema: function["parameters"] ?? .object(["type": "object", "properties": .object([:])]))
        }
        request.toolChoice = toolChoice(object["tool_choice"])
        let handled: Set<String> = [
            "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "tools", "tool_choice",
            "stream", "stream_options",
        ]
        for (key, value) in object where !handled.contains(key) { request.additionalFields[key] = value }
        return request
    }

    /// Consecutive messages of one role are one canonical message (tool results follow each other as user turns).
    static func append(_ role: Role, _ content: [ContentPart], to messages: inout [Message]) {
        if let last = messages.last, last.role == role {
            messages[messages.count - 1].content += content
        } else {
            messages.append(Message(role: role, content: content))
        }
    }

    static func parts(_ content: JSONValue?, at path: String, allowNull: Bool = false) throws -> [ContentPart] {
        switch content {
        case .string(let text)?: return [.text(text)]
        case .null?, nil:
            if allowNull { return [] }
            throw invalid("\(path) is required")
        case .array(let items)?:
            return try items.enumerated().compactMap { i, item in
                switch item["type"]?.stringValue {
                case "text": return .text(item["text"]?.stringValue ?? "")
                case "image_url":
                    guard let url = item["image_url"]?["url"]?.stringValue, let image = dataURLImage(url) else {
                        throw invalid("\(path)[\(i)].image_url must be a base64 data URL of a png, jpeg, gif or webp image")
                    }
                    return .image(image)
                default: throw invalid("\(path)[\(i)].type must be text or image_url")
                }
            }
        default: throw invalid("\(path) must be a string or a list of parts")
        }
    }

    static func dataURLImage(_ url: String) -> ImagePart? {
        guard url.hasPrefix("data:image/"), let comma = url.firstIndex(of: ",") else { return nil }
        let header = url[url.index(url.startIndex, offsetBy: 11)..<comma]
        let subtype = header.split(separator: ";").first.map(String.init) ?? ""
        guard let format = ImageFormat(rawValue: subtype == "jpg" ? "jpeg" : subtype),
            let data = Data(base64Encoded: String(url[url.index(after: comma)...]))
        else { return nil }
        return ImagePart(format: format, data: data)
    }

    static func stops(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let s)?: return [s]
        case .array(let items)?: return items.compactMap(\.stringValue)
        default: return []
        }
    }

    static func toolChoice(_ value: JSONValue?) -> ToolChoice? {
        switch value {
        case .string("auto")?: return .auto
        case .string("required")?: return .any
        case .object(let o)?: return o["function"]?["name"]?.stringValue.map { .tool($0) }
        default: return nil
        }
    }

    static func document(_ text: String) -> JSONValue {
        if text.isEmpty { return .object([:]) }
        return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
    }

    static func invalid(_ message: String) -> GatewayError { GatewayError(.validation, message) }
}
