import Foundation
import SwitchyardModel

/// A `GenerateContentRequest` as a caller writes it (the `request` of a Gemini batch line): read, not built, so
/// every member is optional and the checks that matter say which member failed.
public struct GeminiRequest: Decodable, Sendable {
    public struct Tool: Decodable, Sendable {
        public struct FunctionDeclaration: Decodable, Sendable {
            public var name: String?
            public var description: String?
            public var parameters: JSONValue?
        }

        public var functionDeclarations: [FunctionDeclaration]?
    }

    public struct ToolConfig: Decodable, Sendable {
        public struct FunctionCallingConfig: Decodable, Sendable {
            public var mode: String?
            public var allowedFunctionNames: [String]?
        }

        public var functionCallingConfig: FunctionCallingConfig?
    }

    /// The sampling members the canonical model has, and the rest of `generationConfig` as the caller wrote it.
    public struct GenerationConfig: Decodable, Sendable {
        public var maxOutputTokens: Int?
        public var temperature: Double?
        public var topP: Double?
        public var stopSequences: [String]?
        public var others: [String: JSONValue] = [:]

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: WireKey.self)
            for key in c.allKeys {
                switch key.stringValue {
                case "maxOutputTokens": maxOutputTokens = try c.decodeIfPresent(Int.self, forKey: key)
                case "temperature": temperature = try c.decodeIfPresent(Double.self, forKey: key)
                case "topP": topP = try c.decodeIfPresent(Double.self, forKey: key)
                case "stopSequences": stopSequences = try c.decodeIfPresent([String].self, forKey: key)
                default: others[key.stringValue] = try c.decode(JSONValue.self, forKey: key)
                }
            }
        }
    }

    public var contents: [GeminiResponse.Content]?
    public var systemInstruction: GeminiResponse.Content?
    public var generationConfig: GenerationConfig?
    public var tools: [Tool]?
    public var toolConfig: ToolConfig?
    public var safetySettings: JSONValue?
    public var cachedContent: JSONValue?
}

/// Gemini batch lines: the `request` of a line in the canonical model, and the canonical answer as the line's
/// `response`. Batch is not the hot path, so both go through Codable and the dialect's typed wire.
public enum GeminiBatchRecord {
    public static func decode(_ request: JSONValue) throws -> ChatRequest {
        guard case .object = request else { throw GatewayError(.validation, "request must be a JSON object") }
        let wire: GeminiRequest
        do {
            wire = try JSONDecoder().decode(GeminiRequest.self, from: JSONEncoder().encode(request))
        } catch let error as DecodingError {
            throw GatewayError(.validation, "request." + WireDecodingFailure.describe(error, request: "a valid GenerateContentRequest"))
        }
        return try chat(wire)
    }

    /// `{"candidates", "usageMetadata", "modelVersion"}`, sorted keys like every batch output line.
    public static func response(_ response: ChatResponse, model: String) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(GeminiResponse(response, model: model))) ?? Data("null".utf8)
    }

    static func chat(_ request: GeminiRequest) throws -> ChatRequest {
        guard let contents = request.contents, !contents.isEmpty else {
            throw GatewayError(.validation, "request.contents must be a non-empty list")
        }
        var chat = ChatRequest(messages: [])
        var names: [String: Int] = [:]
        for (i, content) in contents.enumerated() {
            let role: Role = content.role == "model" ? .assistant : .user
            var parts: [ContentPart] = []
            for (j, part) in (content.parts ?? []).enumerated() {
                parts.append(try self.part(part, at: "request.contents[\(i)].parts[\(j)]", names: &names))
            }
            chat.messages.appendMerging(role, parts)
        }
        for part in request.systemInstruction?.parts ?? [] {
            if let text = part.text { chat.system.append(.text(text)) }
        }
        if let generation = request.generationConfig {
            chat.inference = InferenceConfig(
                maxTokens: generation.maxOutputTokens, temperature: generation.temperature, topP: generation.topP,
                stopSequences: generation.stopSequences ?? [])
            if !generation.others.isEmpty { chat.additionalFields["generationConfig"] = .object(generation.others) }
        }
        for tool in request.tools ?? [] {
            for declaration in tool.functionDeclarations ?? [] {
                guard let name = declaration.name else { continue }
                chat.tools.append(
                    ToolSpec(
                        name: name, description: declaration.description,
                        inputSchema: declaration.parameters ?? .object(["type": "object", "properties": .object([:])])))
            }
        }
        if let calling = request.toolConfig?.functionCallingConfig, let mode = calling.mode {
            let allowed = calling.allowedFunctionNames ?? []
            switch mode {
            case "ANY": chat.toolChoice = allowed.count == 1 ? .tool(allowed[0]) : .any
            case "AUTO": chat.toolChoice = .auto
            default: break
            }
        }
        if let value = request.safetySettings { chat.additionalFields["safetySettings"] = value }
        if let value = request.cachedContent { chat.additionalFields["cachedContent"] = value }
        return chat
    }

    /// Gemini function calls carry no ids; the n-th call of a name and the n-th response to it share `<name>_<n>`.
    static func part(_ part: GeminiPart, at path: String, names: inout [String: Int]) throws -> ContentPart {
        if let text = part.text { return .text(text) }
        if let inline = part.inlineData, let mime = inline.mimeType, let base64 = inline.data, let data = Data(base64Encoded: base64) {
            if mime.hasPrefix("image/"), let format = ImageFormat(rawValue: String(mime.dropFirst(6))) {
                return .image(ImagePart(format: format, data: data))
            }
            if let format = DocumentFormat.allCases.first(where: { $0.mediaType == mime }) {
                return .document(DocumentPart(format: format, name: "document", source: .bytes(data)))
            }
            throw GatewayError(.validation, "\(path).inlineData has a media type the gateway cannot pass on: \(mime)")
        }
        if let call = part.functionCall, let name = call.name {
            let n = names[name, default: 0]
            names[name] = n + 1
            return .toolUse(ToolUse(id: "\(name)_\(n)", name: name, input: call.args ?? .object([:])))
        }
        if let response = part.functionResponse, let name = response.name {
            let n = names["response:" + name, default: 0]
            names["response:" + name] = n + 1
            return .toolResult(ToolResult(toolUseId: "\(name)_\(n)", content: [.json(response.response ?? .object([:]))], isError: false))
        }
        throw GatewayError(.validation, "\(path) must have text, inlineData, functionCall or functionResponse")
    }
}
