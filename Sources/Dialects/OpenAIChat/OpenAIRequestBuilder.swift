import Foundation
import SwitchyardModel

/// Canonical request → Chat Completions body (what the OpenAI provider and its batch lines send).
public enum OpenAIRequestBuilder {
    /// Fields that belong to other providers' APIs and would make an OpenAI-compatible server refuse the request.
    static let foreignFields: Set<String> = ["thinking", "anthropic_beta", "anthropic_version"]

    /// Fields the gateway sets itself: a caller's value would change what comes back (a stream where JSON is
    /// read, several choices where one is) or whom it asks, so it is refused rather than silently obeyed.
    static let gatewayFields: Set<String> = ["model", "messages", "stream", "stream_options", "n"]

    public static func body(_ request: ChatRequest, model: String, stream: Bool) throws -> JSONValue {
        var body: [String: JSONValue] = [:]
        for (key, value) in request.additionalFields where !foreignFields.contains(key) {
            // One choice is what the gateway asks for anyway.
            if key == "n", value.intValue == 1 { continue }
            if gatewayFields.contains(key) {
                throw GatewayError(
                    .validation, "additionalModelRequestFields may not set '\(key)': the gateway sets it for this operation")
            }
            body[key] = value
        }
        body["model"] = .string(model)
        body["messages"] = .array(messages(request))
        let inference = request.inference
        if let maxTokens = inference.maxTokens { body["max_tokens"] = .number(Double(maxTokens)) }
        if let temperature = inference.temperature { body["temperature"] = .number(temperature) }
        if let topP = inference.topP { body["top_p"] = .number(topP) }
        if !inference.stopSequences.isEmpty { body["stop"] = .array(inference.stopSequences.map { .string($0) }) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(tool))
            if let choice = request.toolChoice { body["tool_choice"] = toolChoice(choice) }
        }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return .object(body)
    }

    static func messages(_ request: ChatRequest) -> [JSONValue] {
        var out: [JSONValue] = []
        let systemText = request.system.compactMap { part -> String? in
            if case .text(let t) = part { return t }
            return nil
        }
        if !systemText.isEmpty {
            out.append(["role": "system", "content": .string(systemText.joined(separator: "\n"))])
        }
        for message in request.messages {
            switch message.role {
            case .user: out.append(contentsOf: userMessages(message.content))
            case .assistant: out.append(assistantMessage(message.content))
            }
        }
        return out
    }

    /// Tool results become `tool` messages, which must come straight after the assistant's tool calls.
    static func userMessages(_ content: [ContentPart]) -> [JSONValue] {
        var out: [JSONValue] = []
        var parts: [JSONValue] = []
        var texts: [String] = []
        var onlyText = true
        for part in content {
            switch part {
            case .toolResult(let result):
                out.append([
                    "role": "tool", "tool_call_id": .string(result.toolUseId),
                    "content": .string(toolResultText(result)),
                ])
            case .text(let text):
                texts.append(text)
                parts.append(["type": "text", "text": .string(text)])
            case .image(let image):
                onlyText = false
                parts.append(imagePart(image))
            case .document(let document):
                if let text = document.text {
                    let wrapped = "<document name=\"\(document.name)\">\n\(text)\n</document>"
                    texts.append(wrapped)
                    parts.append(["type": "text", "text": .string(wrapped)])
                } else {
                    onlyText = false
                    parts.append(filePart(document))
                }
            case .toolUse, .reasoning, .cachePoint:
                continue
            }
        }
        if !parts.isEmpty {
            let content: JSONValue = onlyText && texts.count == 1 ? .string(texts[0]) : .array(parts)
            out.append(["role": "user", "content": content])
        }
        return out
    }

    static func assistantMessage(_ content: [ContentPart]) -> JSONValue {
        var texts: [String] = []
        var calls: [JSONValue] = []
        for part in content {
            switch part {
            case .text(let text): texts.append(text)
            case .toolUse(let use):
                calls.append([
                    "id": .string(use.id), "type": "function",
                    "function": ["name": .string(use.name), "arguments": .string(OpenAIArguments.text(use.input))],
                ])
            default: continue
            }
        }
        var message: [String: JSONValue] = ["role": "assistant"]
        message["content"] = texts.isEmpty ? .null : .string(texts.joined())
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        return .object(message)
    }

    static func toolResultText(_ result: ToolResult) -> String {
        let text = result.content.map { item -> String in
            switch item {
            case .text(let t): return t
            case .json(let v): return OpenAIArguments.text(v)
            case .image(let image): return "[image/\(image.format.rawValue) omitted]"
            case .document(let document): return document.text ?? "[document \(document.name) omitted]"
            }
        }.joined(separator: "\n")
        return result.isError ? "Error: \(text)" : text
    }

    static func imagePart(_ image: ImagePart) -> JSONValue {
        ["type": "image_url", "image_url": ["url": .string("data:\(image.format.mediaType);base64,\(image.data.base64EncodedString())")]]
    }

    static func filePart(_ document: DocumentPart) -> JSONValue {
        guard case .bytes(let data) = document.source else { return ["type": "text", "text": .string(document.text ?? "")] }
        return [
            "type": "file",
            "file": [
                "filename": .string(document.name),
                "file_data": .string("data:\(document.format.mediaType);base64,\(data.base64EncodedString())"),
            ],
        ]
    }

    static func tool(_ spec: ToolSpec) -> JSONValue {
        var function: [String: JSONValue] = ["name": .string(spec.name), "parameters": spec.inputSchema]
        if let description = spec.description { function["description"] = .string(description) }
        return ["type": "function", "function": .object(function)]
    }

    static func toolChoice(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: "auto"
        case .any: "required"
        case .tool(let name): ["type": "function", "function": ["name": .string(name)]]
        }
    }
}
