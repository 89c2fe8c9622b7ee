import Foundation
import SwitchyardModel

/// Canonical request → Converse body, for requests that did not arrive in Bedrock's own dialect.
enum BedrockConverseRequestBuilder {
    static func body(_ request: ChatRequest) -> JSONValue {
        var body: [String: JSONValue] = [
            "messages": .array(request.messages.map { ["role": .string($0.role.rawValue), "content": .array($0.content.compactMap(block))] })
        ]
        let system = request.system.compactMap(block)
        if !system.isEmpty { body["system"] = .array(system) }
        var inference: [String: JSONValue] = [:]
        if let v = request.inference.maxTokens { inference["maxTokens"] = .number(Double(v)) }
        if let v = request.inference.temperature { inference["temperature"] = .number(v) }
        if let v = request.inference.topP { inference["topP"] = .number(v) }
        if !request.inference.stopSequences.isEmpty { inference["stopSequences"] = .array(request.inference.stopSequences.map { .string($0) }) }
        if !inference.isEmpty { body["inferenceConfig"] = .object(inference) }
        if !request.tools.isEmpty {
            var tools: [JSONValue] = []
            for spec in request.tools {
                var toolSpec: [String: JSONValue] = ["name": .string(spec.name), "inputSchema": ["json": spec.inputSchema]]
                if let description = spec.description { toolSpec["description"] = .string(description) }
                tools.append(["toolSpec": .object(toolSpec)])
                if let point = spec.cachePoint { tools.append(cachePoint(point)) }
            }
            var config: [String: JSONValue] = ["tools": .array(tools)]
            switch request.toolChoice {
            case .auto: config["toolChoice"] = ["auto": [:]]
            case .any: config["toolChoice"] = ["any": [:]]
            case .tool(let name): config["toolChoice"] = ["tool": ["name": .string(name)]]
            case nil: break
            }
            body["toolConfig"] = .object(config)
        }
        if !request.additionalFields.isEmpty { body["additionalModelRequestFields"] = .object(request.additionalFields) }
        return .object(body)
    }

    static func block(_ part: ContentPart) -> JSONValue? {
        switch part {
        case .text(let text): return ["text": .string(text)]
        case .image(let image): return ["image": imageValue(image)]
        case .document(let document): return ["document": documentValue(document)]
        case .toolUse(let use): return ["toolUse": ["toolUseId": .string(use.id), "name": .string(use.name), "input": use.input]]
        case .toolResult(let result):
            let content: [JSONValue] = result.content.map { item in
                switch item {
                case .text(let text): ["text": .string(text)]
                case .json(let value): ["json": value]
                case .image(let image): ["image": imageValue(image)]
                case .document(let document): ["document": documentValue(document)]
                }
            }
            return ["toolResult": ["toolUseId": .string(result.toolUseId), "content": .array(content), "status": result.isError ? "error" : "success"]]
        case .reasoning(.text(let text, let signature)):
            var reasoning: [String: JSONValue] = ["text": .string(text)]
            if let signature { reasoning["signature"] = .string(signature) }
            return ["reasoningContent": ["reasoningText": .object(reasoning)]]
        case .reasoning(.redacted(let data)):
            return ["reasoningContent": ["redactedContent": .string(data.base64EncodedString())]]
        case .cachePoint(let point):
            return cachePoint(point)
        }
    }

    static func imageValue(_ image: ImagePart) -> JSONValue {
        ["format": .string(image.format.rawValue), "source": ["bytes": .string(image.data.base64EncodedString())]]
    }

    static func documentValue(_ document: DocumentPart) -> JSONValue {
        let source: JSONValue =
            switch document.source {
            case .bytes(let data): ["bytes": .string(data.base64EncodedString())]
            case .text(let text): ["text": .string(text)]
            }
        return ["format": .string(document.format.rawValue), "name": .string(document.name), "source": source]
    }

    static func cachePoint(_ point: CachePoint) -> JSONValue {
        var value: [String: JSONValue] = ["type": "default"]
        if let ttl = point.ttl { value["ttl"] = .string(ttl) }
        return ["cachePoint": .object(value)]
    }
}
