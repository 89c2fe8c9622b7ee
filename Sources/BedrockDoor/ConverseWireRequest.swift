import SwitchyardModel

/// The Converse / ConverseStream request body. Members the canonical model cannot hold (guardrailConfig,
/// promptVariables, performanceConfig, …) and unknown members are ignored.
struct ConverseWireRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)

        let messagesKey: ConverseWireKey = "messages"
        guard try c.contains(messagesKey) && !c.decodeNil(forKey: messagesKey) else {
            throw c.failure(messagesKey, "required member is missing")
        }
        let messages = try c.decode([ConverseWireMessage].self, forKey: messagesKey).map(\.value)
        if messages.isEmpty { throw c.failure(messagesKey, "must contain at least one message") }

        let system = try c.decodeIfPresent([ConverseWireSystemBlock].self, forKey: "system")?.map(\.value) ?? []
        let inference = try c.decodeIfPresent(ConverseWireInferenceConfig.self, forKey: "inferenceConfig")?.value
        let toolConfig = try c.decodeIfPresent(ConverseWireToolConfig.self, forKey: "toolConfig")

        let additionalKey: ConverseWireKey = "additionalModelRequestFields"
        var additional: [String: JSONValue] = [:]
        switch try c.decodeIfPresent(JSONValue.self, forKey: additionalKey) {
        case nil, .null?: break
        case .object(let fields)?: additional = fields
        default: throw c.failure(additionalKey, "must be a JSON object")
        }

        let fallbacksKey: ConverseWireKey = "fallbacks"
        let fallbacks = try c.decodeIfPresent([String].self, forKey: fallbacksKey) ?? []
        if let i = fallbacks.firstIndex(where: \.isEmpty) {
            throw ConverseDecodingFailure(c.codingPath + [fallbacksKey, ConverseWireKey(index: i)], "must not be empty")
        }

        // A map of strings (botocore: 1–16 entries); the cache reads its `swyd:cache*` entries.
        let metadataKey: ConverseWireKey = "requestMetadata"
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
