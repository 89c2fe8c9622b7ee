import Foundation
import NIOCore
import SwitchyardModel

/// A Chat Completions request body as the OpenAI door receives it, read into the canonical request.
public struct OpenAIChatCall: Sendable {
    public var model: String
    public var stream: Bool
    /// `stream_options.include_usage`: the caller wants the usage chunk before `[DONE]`.
    public var includeUsage: Bool
    public var chat: ChatRequest
    /// `response_format` as sent: OpenAI-compatible providers get it as is; others get an instruction instead.
    public var responseFormat: JSONValue?
}

/// Chat Completions request JSON → canonical request (the door's and the batch reader's direction).
public enum OpenAIChatRequestReader {
    /// Fields an OpenAI-compatible upstream understands and the canonical request has no place for; they travel in
    /// `additionalFields`, which only OpenAI-speaking providers send on.
    static let carriedFields: Set<String> = [
        "seed", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "user", "parallel_tool_calls",
        "reasoning_effort", "service_tier", "store", "prediction", "modalities", "verbosity",
    ]

    public static func read(_ body: ByteBuffer) throws -> OpenAIChatCall {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        } catch {
            throw GatewayError(.validation, "We could not parse the JSON body of your request. The body must be a JSON object.")
        }
        guard let members = value.objectValue else {
            throw GatewayError(.validation, "The body of your request must be a JSON object.")
        }
        return try read(members)
    }

    /// `defaultModel`: the model a body without one is for (a batch line takes its job's).
    public static func read(_ members: [String: JSONValue], defaultModel: String? = nil) throws -> OpenAIChatCall {
        guard let model = members["model"]?.stringValue ?? defaultModel, !model.isEmpty else {
            throw GatewayError(.validation, "you must provide a model parameter")
        }
        guard let rawMessages = members["messages"]?.arrayValue else {
            throw GatewayError(.validation, "Missing required parameter: 'messages'.")
        }
        if let n = members["n"], n != .null, n.intValue != 1 {
            throw GatewayError(.validation, "Invalid 'n': the gateway answers one choice per request.")
        }
        var system: [ContentPart] = []
        var messages: [Message] = []
        func append(_ role: Role, _ parts: [ContentPart]) {
            guard !parts.isEmpty else { return }
            messages.appendMerging(role, parts)
        }
        for (index, raw) in rawMessages.enumerated() {
            guard let message = raw.objectValue, let role = message["role"]?.stringValue else {
                throw GatewayError(.validation, "Invalid 'messages[\(index)]': expected an object with a 'role'.")
            }
            switch role {
            case "system", "developer":
                system += try parts(message["content"], at: "messages[\(index)].content", allowImages: false)
            case "user":
                append(.user, try parts(message["content"], at: "messages[\(index)].content", allowImages: true))
            case "assistant":
                var content = try parts(message["content"], at: "messages[\(index)].content", allowImages: false, optional: true)
                for (i, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
                    guard let id = call["id"]?.stringValue, let function = call["function"], let name = function["name"]?.stringValue else {
                        throw GatewayError(.validation, "Invalid 'messages[\(index)].tool_calls[\(i)]': expected id and function.name.")
                    }
                    content.append(.toolUse(ToolUse(id: id, name: name, input: OpenAIArguments.document(function["arguments"]?.stringValue ?? ""))))
                }
                append(.assistant, content)
            case "tool":
                guard let id = message["tool_call_id"]?.stringValue else {
                    throw GatewayError(.validation, "Missing required parameter: 'messages[\(index)].tool_call_id'.")
                }
                let texts = try parts(message["content"], at: "messages[\(index)].content", allowImages: false).compactMap { part -> ToolResult.Content? in
                    if case .text(let text) = part { return .text(text) }
                    return nil
                }
                append(.user, [.toolResult(ToolResult(toolUseId: id, content: texts, isError: false))])
            default:
                throw GatewayError(
                    .validation, "Invalid value: '\(role)'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.")
            }
        }
        guard !messages.isEmpty else {
            throw GatewayError(.validation, "Invalid 'messages': the conversation needs at least one user or assistant message.")
        }
        var chat = ChatRequest(system: system, messages: messages)
        chat.inference = try inference(members)
        if let tools = members["tools"]?.arrayValue {
            chat.tools = try tools.enumerated().map { index, tool in
                guard let function = tool["function"], let name = function["name"]?.stringValue else {
                    throw GatewayError(.validation, "Invalid 'tools[\(index)]': expected {type: function, function: {name, parameters}}.")
                }
                return ToolSpec(
                    name: name, description: function["description"]?.stringValue,
                    inputSchema: function["parameters"] ?? ["type": "object", "properties": .object([:])])
            }
        }
        switch members["tool_choice"] {
        case .string("auto")?, nil, .null?: break
        case .string("none")?: chat.tools = []
        case .string("required")?: chat.toolChoice = .any
        case .object(let choice)?:
            guard let name = choice["function"]?["name"]?.stringValue else {
                throw GatewayError(.validation, "Invalid 'tool_choice': expected {type: function, function: {name}}.")
            }
            chat.toolChoice = .tool(name)
        default: throw GatewayError(.validation, "Invalid 'tool_choice': expected 'auto', 'none', 'required' or a function.")
        }
        for (key, value) in members where carriedFields.contains(key) { chat.additionalFields[key] = value }
        if let metadata = members["metadata"]?.objectValue {
            for (key, value) in metadata { if let text = value.stringValue { chat.metadata[key] = text } }
        }
        let stream = members["stream"] == .bool(true)
        let format = members["response_format"].flatMap { $0 == .null ? nil : $0 }
        if let format, format["type"]?.stringValue == nil {
            throw GatewayError(.validation, "Invalid 'response_format': expected an object with a 'type'.")
        }
        return OpenAIChatCall(
            model: model, stream: stream, includeUsage: members["stream_options"]?["include_usage"] == .bool(true), chat: chat,
            responseFormat: format)
    }

    static func inference(_ members: [String: JSONValue]) throws -> InferenceConfig {
        var config = InferenceConfig()
        if let max = members["max_completion_tokens"] ?? members["max_tokens"], max != .null {
            guard let tokens = max.intValue, tokens > 0 else { throw GatewayError(.validation, "Invalid 'max_tokens': expected a positive integer.") }
            config.maxTokens = tokens
        }
        if let temperature = members["temperature"], temperature != .null {
            guard let value = temperature.doubleValue, (0...2).contains(value) else {
                throw GatewayError(.validation, "Invalid 'temperature': expected a number from 0 to 2.")
            }
            config.temperature = value
        }
        if let topP = members["top_p"], topP != .null {
            guard let value = topP.doubleValue, (0...1).contains(value) else { throw GatewayError(.validation, "Invalid 'top_p': expected a number from 0 to 1.") }
            config.topP = value
        }
        switch members["stop"] {
        case .string(let stop)?: config.stopSequences = [stop]
        case .array(let stops)?: config.stopSequences = stops.compactMap(\.stringValue)
        default: break
        }
        return config
    }

    /// A message's `content`: a string, or an array of `text`, `image_url` (data URLs) and `file` parts.
    static func parts(_ content: JSONValue?, at path: String, allowImages: Bool, optional: Bool = false) throws -> [ContentPart] {
        switch content {
        case .string(let text)?: return text.isEmpty ? [] : [.text(text)]
        case nil, .null?:
            if optional { return [] }
            throw GatewayError(.validation, "Missing required parameter: '\(path)'.")
        case .array(let items)?:
            return try items.enumerated().map { index, item -> ContentPart in
                switch item["type"]?.stringValue {
                case "text", "input_text":
                    guard let text = item["text"]?.stringValue else { throw GatewayError(.validation, "Missing required parameter: '\(path)[\(index)].text'.") }
                    return .text(text)
                case "image_url" where allowImages:
                    guard let url = item["image_url"]?["url"]?.stringValue ?? item["image_url"]?.stringValue else {
                        throw GatewayError(.validation, "Missing required parameter: '\(path)[\(index)].image_url.url'.")
                    }
                    return .image(try image(dataURL: url, at: "\(path)[\(index)]"))
                case "file" where allowImages:
                    guard let data = item["file"]?["file_data"]?.stringValue,
                        let (media, bytes) = dataURL(data), let format = DocumentFormat.allCases.first(where: { $0.mediaType == media })
                    else {
                        throw GatewayError(.validation, "Invalid '\(path)[\(index)].file': expected file_data as a base64 data URL.")
                    }
                    let name = item["file"]?["filename"]?.stringValue ?? "document"
                    return .document(DocumentPart(format: format, name: name, source: .bytes(bytes)))
                case let type:
                    throw GatewayError(.validation, "Invalid '\(path)[\(index)].type': '\(type ?? "")' is not supported here.")
                }
            }
        default:
            throw GatewayError(.validation, "Invalid '\(path)': expected a string or an array of content parts.")
        }
    }

    /// Only inline images: fetching a caller's URL from inside the gateway would let anyone make it request anything.
    static func image(dataURL url: String, at path: String) throws -> ImagePart {
        guard let (media, bytes) = dataURL(url) else {
            throw GatewayError(.validation, "Invalid '\(path).image_url': only base64 data URLs (data:image/png;base64,…) are accepted.")
        }
        let name = media == "image/jpg" ? "image/jpeg" : media
        guard let format = ImageFormat.allCases.first(where: { $0.mediaType == name }) else {
            throw GatewayError(.validation, "Invalid '\(path).image_url': '\(media)' is not png, jpeg, gif or webp.")
        }
        return ImagePart(format: format, data: bytes)
    }

    static func dataURL(_ url: String) -> (String, Data)? {
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ","), url[..<comma].hasSuffix(";base64") else { return nil }
        let media = url[url.index(url.startIndex, offsetBy: 5)..<comma].dropLast(";base64".count)
        guard let bytes = Data(base64Encoded: String(url[url.index(after: comma)...])) else { return nil }
        return (String(media).lowercased(), bytes)
    }
}

/// Tool-call `arguments` travel as a JSON text; canonically they are a document.
public enum OpenAIArguments {
    public static func document(_ text: String) -> JSONValue {
        if text.isEmpty { return .object([:]) }
        return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
    }

    public static func text(_ document: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        guard let data = try? encoder.encode(document) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
