import Foundation
import SwitchyardModel

/// Canonical request → `GenerateContentRequest` body, as a `JSONValue` tree the provider writes with the shared
/// byte writer (the hot path).
public enum GeminiRequestBuilder {
    /// Top-level request fields a caller may pass through `additionalModelRequestFields`.
    public static let passThroughFields: Set<String> = ["safetySettings", "cachedContent"]

    public static func body(_ request: ChatRequest) -> JSONValue {
        var body: [String: JSONValue] = [:]
        for (key, value) in request.additionalFields where passThroughFields.contains(key) {
            body[key] = value
        }
        if let system = systemInstruction(request.system) { body["systemInstruction"] = system }
        body["contents"] = .array(contents(request.messages))
        let config = GeminiGenerationConfig.build(request)
        if !config.isEmpty { body["generationConfig"] = .object(config) }
        if let tools = tools(request) {
            body["tools"] = tools
            if !request.tools.isEmpty, let choice = request.toolChoice { body["toolConfig"] = toolConfig(choice) }
        }
        return .object(body)
    }

    /// `:countTokens` counts what `:generateContent` would be sent; it takes the model inside the request.
    public static func countTokensBody(_ request: ChatRequest, model: String) -> JSONValue {
        var inner: [String: JSONValue] = [
            "model": .string("models/\(modelName(model))"), "contents": .array(contents(request.messages)),
        ]
        if let system = systemInstruction(request.system) { inner["systemInstruction"] = system }
        if let tools = tools(request) { inner["tools"] = tools }
        return ["generateContentRequest": .object(inner)]
    }

    /// Gemini names models `models/X`; callers may write either.
    public static func modelName(_ model: String) -> String {
        model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model
    }

    static func systemInstruction(_ system: [ContentPart]) -> JSONValue? {
        let parts: [JSONValue] = system.compactMap { part in
            if case .text(let text) = part, !text.isEmpty { return ["text": .string(text)] }
            return nil
        }
        return parts.isEmpty ? nil : ["parts": .array(parts)]
    }

    static func contents(_ messages: [Message]) -> [JSONValue] {
        let names = GeminiToolIDs.names(in: messages)
        var out: [(role: String, parts: [JSONValue])] = []
        for message in messages {
            let role = message.role == .user ? "user" : "model"
            let parts = message.role == .user ? userParts(message.content, names: names) : modelParts(message.content)
            guard !parts.isEmpty else { continue }
            // A message left empty (only cache points) must not leave two turns of one role apart.
            if let last = out.indices.last, out[last].role == role {
                out[last].parts += parts
            } else {
                out.append((role, parts))
            }
        }
        return out.map { ["role": .string($0.role), "parts": .array($0.parts)] }
    }

    static func userParts(_ content: [ContentPart], names: [String: String]) -> [JSONValue] {
        var out: [JSONValue] = []
        for part in content {
            switch part {
            case .text(let text): if !text.isEmpty { out.append(["text": .string(text)]) }
            case .image(let image): out.append(inlineData(image.format.mediaType, image.data))
            case .document(let document): out.append(documentPart(document))
            case .toolResult(let result):
                let name = names[result.toolUseId] ?? GeminiToolIDs.name(fromID: result.toolUseId)
                out += functionResponseParts(result, name: name)
            case .toolUse, .reasoning, .cachePoint: continue
            }
        }
        return out
    }

    /// A reasoning block with no text carries the signature Gemini put on the part after it (a function call);
    /// the signature goes back on that part, where Gemini 3 checks for it.
    static func modelParts(_ content: [ContentPart]) -> [JSONValue] {
        var out: [JSONValue] = []
        var pendingSignature: String?
        func append(_ part: [String: JSONValue]) {
            var part = part
            if let signature = pendingSignature { part["thoughtSignature"] = .string(signature) }
            pendingSignature = nil
            out.append(.object(part))
        }
        for part in content {
            switch part {
            case .text(let text): if !text.isEmpty { append(["text": .string(text)]) }
            case .toolUse(let use):
                let args: JSONValue = if case .object = use.input { use.input } else { ["value": use.input] }
                append(["functionCall": ["name": .string(use.name), "args": args]])
            case .reasoning(.text(let text, let signature)):
                if text.isEmpty {
                    pendingSignature = signature
                } else {
                    pendingSignature = nil
                    var thought: [String: JSONValue] = ["text": .string(text), "thought": true]
                    if let signature { thought["thoughtSignature"] = .string(signature) }
                    out.append(.object(thought))
                }
            case .image(let image): append(inlineData(image.format.mediaType, image.data).objectValue ?? [:])
            case .document(let document): append(documentPart(document).objectValue ?? [:])
            case .reasoning(.redacted), .toolResult, .cachePoint: continue
            }
        }
        return out
    }

    static func inlineData(_ mimeType: String, _ data: Data) -> JSONValue {
        ["inlineData": ["mimeType": .string(mimeType), "data": .string(data.base64EncodedString())]]
    }

    static func documentPart(_ document: DocumentPart) -> JSONValue {
        switch document.source {
        case .bytes(let data): inlineData(document.format.mediaType, data)
        case .text(let text): inlineData(document.format.mediaType, Data(text.utf8))
        }
    }

    /// `functionResponse.response` must be an object: a JSON object result is sent as itself, anything else under
    /// `content`, and a failed call under `error`. Images and binary documents follow as parts of their own.
    static func functionResponseParts(_ result: ToolResult, name: String) -> [JSONValue] {
        var values: [JSONValue] = []
        var media: [JSONValue] = []
        for item in result.content {
            switch item {
            case .text(let text): values.append(.string(text))
            case .json(let value): values.append(value)
            case .image(let image): media.append(inlineData(image.format.mediaType, image.data))
            case .document(let document):
                if let text = document.text { values.append(.string(text)) } else { media.append(documentPart(document)) }
            }
        }
        let payload: JSONValue = values.count == 1 ? values[0] : .array(values)
        let response: JSONValue =
            if result.isError {
                ["error": payload]
            } else if case .object = payload {
                payload
            } else {
                ["content": payload]
            }
        return [["functionResponse": ["name": .string(name), "response": response]]] + media
    }

    static func tools(_ request: ChatRequest) -> JSONValue? {
        var tools: [JSONValue] = []
        if !request.tools.isEmpty {
            tools.append(["functionDeclarations": .array(request.tools.map(functionDeclaration))])
        }
        // Gemini's built-in tools (`googleSearch`, `codeExecution`, …) have no Converse spelling.
        if let native = request.additionalFields["tools"]?.arrayValue { tools += native }
        return tools.isEmpty ? nil : .array(tools)
    }

    static func functionDeclaration(_ spec: ToolSpec) -> JSONValue {
        var declaration: [String: JSONValue] = ["name": .string(spec.name)]
        if let description = spec.description { declaration["description"] = .string(description) }
        if let parameters = GeminiSchema.parameters(spec.inputSchema) { declaration["parameters"] = parameters }
        return .object(declaration)
    }

    public static func toolConfig(_ choice: ToolChoice) -> JSONValue {
        let config: JSONValue =
            switch choice {
            case .auto: ["mode": "AUTO"]
            case .any: ["mode": "ANY"]
            case .tool(let name): ["mode": "ANY", "allowedFunctionNames": [.string(name)]]
            }
        return ["functionCallingConfig": config]
    }
}
