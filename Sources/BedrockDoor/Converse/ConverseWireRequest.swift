import SwitchyardModel

/// The Converse / ConverseStream request body. Members the canonical model cannot hold (guardrailConfig,
/// promptVariables, performanceConfig, …) and unknown members are ignored.
struct ConverseWireRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)

        let messagesKey: WireKey = "messages"
        guard try c.contains(messagesKey) && !c.decodeNil(forKey: messagesKey) else {
            throw c.failure(messagesKey, "required member is missing")
        }
        let messages = try c.decode([ConverseWireMessage].self, forKey: messagesKey).map(\.value)
        if messages.isEmpty { throw c.failure(messagesKey, "must contain at least one message") }

        let system = try c.decodeIfPresent([ConverseWireSystemBlock].self, forKey: "system")?.map(\.value) ?? []
        let inference = try c.decodeIfPresent(ConverseWireInferenceConfig.self, forKey: "inferenceConfig")?.value
        let toolConfig = try c.decodeIfPresent(ConverseWireToolConfig.self, forKey: "toolConfig")

        let additionalKey: WireKey = "additionalModelRequestFields"
        var additional: [String: JSONValue] = [:]
        switch try c.decodeIfPresent(JSONValue.self, forKey: additionalKey) {
        case nil, .null?: break
        case .object(let fields)?: additional = fields
        default: throw c.failure(additionalKey, "must be a JSON object")
        }

        let fallbacksKey: WireKey = "fallbacks"
        let fallbacks = try c.decodeIfPresent([String].self, forKey: fallbacksKey) ?? []
        if let i = fallbacks.firstIndex(where: \.isEmpty) {
            throw WireDecodingFailure(c.codingPath + [fallbacksKey, WireKey(index: i)], "must not be empty")
        }

        // A map of strings (botocore: 1–16 entries); the cache reads its `swyd:cache*` entries.
        let metadataKey: WireKey = "requestMetadata"
        let metadata = try c.decodeIfPresent([String: String].self, forKey: metadataKey) ?? [:]
        if metadata.count > 16 { throw c.failure(metadataKey, "must have at most 16 entries") }

        value = ChatRequest(
            system: system,
            messages: messages,
            inference: inference ?? InferenceConfig(),
            tools: toolConfig?.tools ?? [],
            toolChoice: toolConfig?.toolChoice,
            additionalFields: additional,
            fallbacks: fallbacks,
            metadata: metadata
        )
    }
}

/// `{"maxTokens", "temperature", "topP", "stopSequences"}` with the ranges the service model declares.
struct ConverseWireInferenceConfig: Decodable {
    let value: InferenceConfig

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        var config = InferenceConfig()
        if let maxTokens = try c.decodeIfPresent(Double.self, forKey: "maxTokens") {
            // Decoded as a number first so that 1.5 or 1e12 get a message about the value, not the type.
            guard maxTokens.rounded() == maxTokens, maxTokens >= 1, maxTokens <= Double(Int32.max) else {
                throw c.failure("maxTokens", "must be an integer between 1 and \(Int32.max)")
            }
            config.maxTokens = Int(maxTokens)
        }
        config.temperature = try Self.unitInterval(c, "temperature")
        config.topP = try Self.unitInterval(c, "topP")
        let stopKey: WireKey = "stopSequences"
        let stops = try c.decodeIfPresent([String].self, forKey: stopKey) ?? []
        if let i = stops.firstIndex(where: \.isEmpty) {
            throw WireDecodingFailure(c.codingPath + [stopKey, WireKey(index: i)], "must not be empty")
        }
        if stops.count > 2500 { throw c.failure(stopKey, "must contain at most 2500 entries") }
        config.stopSequences = stops
        value = config
    }

    private static func unitInterval(_ c: KeyedDecodingContainer<WireKey>, _ key: WireKey) throws -> Double? {
        guard let v = try c.decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard (0...1).contains(v) else { throw c.failure(key, "\(v) is not between 0 and 1") }
        return v
    }
}

/// `{"text"} | {"cachePoint"} | {"guardContent"}`
struct ConverseWireSystemBlock: Decodable {
    let value: ContentPart

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let member = try c.unionMember("a system content block")
        switch member.stringValue {
        case "text": value = .text(try c.nonEmptyString(member))
        case "cachePoint": value = .cachePoint(try c.decode(ConverseWireCachePoint.self, forKey: member).value)
        case "guardContent":
            let part = try c.decode(ConverseWireGuardContent.self, forKey: member).value
            guard case .text = part else { throw c.failure(member, "only text guardContent is allowed in system") }
            value = part
        default: throw c.failure(member, "unknown system content block member")
        }
    }
}

/// `{"role": "user" | "assistant", "content": [ContentBlock]}`
struct ConverseWireMessage: Decodable {
    let value: Message

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let role = try c.oneOf("role", [("user", Role.user), ("assistant", Role.assistant)])
        let content = try c.decode([ConverseWireContentBlock].self, forKey: "content")
        if content.isEmpty { throw c.failure("content", "must contain at least one content block") }
        value = Message(role: role, content: content.map(\.value))
    }
}
