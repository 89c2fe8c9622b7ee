import Foundation
import SwitchyardModel

/// Canonical request → Messages API body, for the Anthropic provider and its batches.
public enum AnthropicRequestEncoder {
    /// Request fields the Messages API accepts beyond the ones built here; it refuses unknown fields.
    public static let passThroughFields: Set<String> = [
        "thinking", "top_k", "metadata", "service_tier", "container", "mcp_servers", "context_management",
    ]
    /// The members `/v1/messages/count_tokens` takes; it refuses the sampling and length members of a Messages body.
    public static let countedFields: Set<String> = ["model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers"]
    public static let defaultMaxTokens = 4096

    public static func body(_ request: ChatRequest, model: String, stream: Bool) -> JSONValue {
        var body: [String: JSONValue] = [:]
        for (key, value) in request.additionalFields where passThroughFields.contains(key) {
            body[key] = value
        }
        body["model"] = .string(model)
        body["max_tokens"] = .number(Double(maxTokens(request)))
        let system = blocks(request.system)
        if !system.isEmpty { body["system"] = .array(system) }
        body["messages"] = .array(request.messages.map { message in
            ["role": .string(message.role.rawValue), "content": .array(blocks(message.content))]
        })
        let inference = request.inference
        if let temperature = inference.temperature { body["temperature"] = .number(temperature) }
        if let topP = inference.topP { body["top_p"] = .number(topP) }
        if !inference.stopSequences.isEmpty {
            body["stop_sequences"] = .array(inference.stopSequences.map { .string($0) })
        }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(tool))
            if let choice = request.toolChoice { body["tool_choice"] = toolChoice(choice) }
        }
        if stream { body["stream"] = true }
        return .object(body)
    }

    /// The body of a token count: the Messages body without its output members.
    public static func countTokensBody(_ request: ChatRequest, model: String) -> JSONValue {
        guard case .object(let full) = body(request, model: model, stream: false) else { return .object([:]) }
        return .object(full.filter { countedFields.contains($0.key) })
    }

    /// `anthropic_beta` travels as a header, not in the body.
    public static func betaHeader(_ request: ChatRequest) -> String? {
        switch request.additionalFields["anthropic_beta"] {
        case .string(let s): return s
        case .array(let items):
            let names = items.compactMap(\.stringValue)
            return names.isEmpty ? nil : names.joined(separator: ",")
        default: return nil
        }
    }

    /// Extended thinking needs room beyond its budget, so the default grows with it.
    public static func maxTokens(_ request: ChatRequest) -> Int {
        if let maxTokens = request.inference.maxTokens { return maxTokens }
        if let budget = request.additionalFields["thinking"]?["budget_tokens"]?.intValue {
            return budget + defaultMaxTokens
        }
        return defaultMaxTokens
    }

    static func blocks(_ parts: [ContentPart]) -> [JSONValue] {
        var out: [JSONValue] = []
        for part in parts {
            switch part {
            case .text(let text): out.append(["type": "text", "text": .string(text)])
            case .image(let image): out.append(imageBlock(image))
            case .document(let document): out.append(documentBlock(document))
            case .toolUse(let use):
                out.append(["type": "tool_use", "id": .string(use.id), "name": .string(use.name), "input": use.input])
            case .toolResult(let result): out.append(toolResultBlock(result))
            case .reasoning(.text(let text, let signature)):
                var block: [String: JSONValue] = ["type": "thinking", "thinking": .string(text)]
                if let signature { block["signature"] = .string(signature) }
                out.append(.object(block))
            case .reasoning(.redacted(let data)):
                out.append(["type": "redacted_thinking", "data": .string(String(decoding: data, as: UTF8.self))])
            case .cachePoint(let point):
                markCache(&out, point)
            }
        }
        return out
    }

    static func markCache(_ blocks: inout [JSONValue], _ point: CachePoint) {
        guard let last = blocks.indices.last, case .object(var block) = blocks[last] else { return }
        block["cache_control"] = cacheControl(point)
        blocks[last] = .object(block)
    }

    static func cacheControl(_ point: CachePoint) -> JSONValue {
        var control: [String: JSONValue] = ["type": "ephemeral"]
        if let ttl = point.ttl { control["ttl"] = .string(ttl) }
        return .object(control)
    }

    static func imageBlock(_ image: ImagePart) -> JSONValue {
        [
            "type": "image",
            "source": [
                "type": "base64", "media_type": .string(image.format.mediaType),
                "data": .string(image.data.base64EncodedString()),
            ],
        ]
    }

    static func documentBlock(_ document: DocumentPart) -> JSONValue {
        let source: JSONValue
        if document.format == .pdf, case .bytes(let data) = document.source {
            source = ["type": "base64", "media_type": "application/pdf", "data": .string(data.base64EncodedString())]
        } else {
            // The Messages API reads PDFs and plain text only; other textual formats go as text, binary office files as what bytes decode to.
            let text = document.text ?? {
                if case .bytes(let data) = document.source { return String(decoding: data, as: UTF8.self) }
                return ""
            }()
            source = ["type": "text", "media_type": "text/plain", "data": .string(text)]
        }
        return ["type": "document", "source": source, "title": .string(document.name)]
    }

    static func toolResultBlock(_ result: ToolResult) -> JSONValue {
        let content: [JSONValue] = result.content.map { item in
            switch item {
            case .text(let text): ["type": "text", "text": .string(text)]
            case .json(let value): ["type": "text", "text": .string(value.documentText)]
            case .image(let image): imageBlock(image)
            case .document(let document): documentBlock(document)
            }
        }
        var block: [String: JSONValue] = [
            "type": "tool_result", "tool_use_id": .string(result.toolUseId), "content": .array(content),
        ]
        if result.isError { block["is_error"] = true }
        return .object(block)
    }

    static func tool(_ spec: ToolSpec) -> JSONValue {
        var tool: [String: JSONValue] = ["name": .string(spec.name), "input_schema": spec.inputSchema]
        if let description = spec.description { tool["description"] = .string(description) }
        if let point = spec.cachePoint { tool["cache_control"] = cacheControl(point) }
        return .object(tool)
    }

    static func toolChoice(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: ["type": "auto"]
        case .any: ["type": "any"]
        case .tool(let name): ["type": "tool", "name": .string(name)]
        }
    }
}
