import Foundation
import SwitchyardModel

/// A Gemini batch line's `request` (a GenerateContentRequest) in the canonical model.
enum GeminiRecordDecoder {
    static func decode(_ request: JSONValue) throws -> ChatRequest {
        guard let contents = request["contents"]?.arrayValue, !contents.isEmpty else {
            throw GatewayError(.validation, "request.contents must be a non-empty list")
        }
        var chat = ChatRequest(messages: [])
        var names: [String: Int] = [:]
        for (i, content) in contents.enumerated() {
            let role: Role = content["role"]?.stringValue == "model" ? .assistant : .user
            var parts: [ContentPart] = []
            for (j, part) in (content["parts"]?.arrayValue ?? []).enumerated() {
                parts.append(try self.part(part, at: "request.contents[\(i)].parts[\(j)]", names: &names))
            }
            chat.messages.appendMerging(role, parts)
        }
        for part in request["systemInstruction"]?["parts"]?.arrayValue ?? [] {
            if let text = part["text"]?.stringValue { chat.system.append(.text(text)) }
        }
        var generation = request["generationConfig"]?.objectValue ?? [:]
        chat.inference = InferenceConfig(
            maxTokens: generation.removeValue(forKey: "maxOutputTokens")?.intValue,
            temperature: generation.removeValue(forKey: "temperature")?.doubleValue,
            topP: generation.removeValue(forKey: "topP")?.doubleValue,
            stopSequences: generation.removeValue(forKey: "stopSequences")?.arrayValue?.compactMap(\.stringValue) ?? [])
        if !generation.isEmpty { chat.additionalFields["generationConfig"] = .object(generation) }
        for tool in request["tools"]?.arrayValue ?? [] {
            for declaration in tool["functionDeclarations"]?.arrayValue ?? [] {
                guard let name = declaration["name"]?.stringValue else { continue }
                chat.tools.append(
                    ToolSpec(
                        name: name, description: declaration["description"]?.stringValue,
                        inputSchema: declaration["parameters"] ?? .object(["type": "object", "properties": .object([:])])))
            }
        }
        if let mode = request["toolConfig"]?["functionCallingConfig"]?["mode"]?.stringValue {
            let allowed = request["toolConfig"]?["functionCallingConfig"]?["allowedFunctionNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
            switch mode {
            case "ANY": chat.toolChoice = allowed.count == 1 ? .tool(allowed[0]) : .any
            case "AUTO": chat.toolChoice = .auto
            default: break
            }
        }
        for key in ["safetySettings", "cachedContent"] {
            if let value = request[key] { chat.additionalFields[key] = value }
        }
        return chat
    }

    /// Gemini function calls carry no ids; the n-th call of a name and the n-th response to it share `<name>_<n>`.
    static func part(_ part: JSONValue, at path: String, names: inout [String: Int]) throws -> ContentPart {
        if let text = part["text"]?.stringValue { return .text(text) }
        if let inline = part["inlineData"], let mime = inline["mimeType"]?.stringValue, let base64 = inline["data"]?.stringValue,
            let data = Data(base64Encoded: base64)
        {
            if mime.hasPrefix("image/"), let format = ImageFormat(rawValue: String(mime.dropFirst(6))) {
                return .image(ImagePart(format: format, data: data))
            }
            if let format = DocumentFormat.allCases.first(where: { $0.mediaType == mime }) {
                return .document(DocumentPart(format: format, name: "document", source: .bytes(data)))
            }
            throw GatewayError(.validation, "\(path).inlineData has a media type the gateway cannot pass on: \(mime)")
        }
        if let call = part["functionCall"], let name = call["name"]?.stringValue {
            let n = names[name, default: 0]
            names[name] = n + 1
            return .toolUse(ToolUse(id: "\(name)_\(n)", name: name, input: call["args"] ?? .object([:])))
        }
        if let response = part["functionResponse"], let name = response["name"]?.stringValue {
            let n = names["response:" + name, default: 0]
            names["response:" + name] = n + 1
            return .toolResult(ToolResult(toolUseId: "\(name)_\(n)", content: [.json(response["response"] ?? .object([:]))], isError: false))
        }
        throw GatewayError(.validation, "\(path) must have text, inlineData, functionCall or functionResponse")
    }
}
