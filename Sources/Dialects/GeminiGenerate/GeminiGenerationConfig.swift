import SwitchyardModel

/// `generationConfig` from the inference parameters, Anthropic-style `thinking`, and Gemini's own fields.
public enum GeminiGenerationConfig {
    /// `GenerationConfig` fields a caller may also give at the top of `additionalModelRequestFields`.
    static let fieldNames: Set<String> = [
        "topK", "seed", "candidateCount", "presencePenalty", "frequencyPenalty", "responseMimeType", "responseSchema",
        "responseJsonSchema", "responseModalities", "responseLogprobs", "logprobs", "thinkingConfig", "mediaResolution",
    ]

    public static func build(_ request: ChatRequest) -> [String: JSONValue] {
        var config: [String: JSONValue] = [:]
        let extra = request.additionalFields
        for (key, value) in extra where fieldNames.contains(key) { config[key] = value }
        if config["topK"] == nil, let topK = extra["top_k"] { config["topK"] = topK }
        let inference = request.inference
        if let maxTokens = inference.maxTokens { config["maxOutputTokens"] = .number(Double(maxTokens)) }
        if let temperature = inference.temperature { config["temperature"] = .number(temperature) }
        if let topP = inference.topP { config["topP"] = .number(topP) }
        if !inference.stopSequences.isEmpty { config["stopSequences"] = .array(inference.stopSequences.map { .string($0) }) }
        if let thinking = extra["thinking"], thinking["type"]?.stringValue != "disabled",
            let budget = thinking["budget_tokens"]?.intValue
        {
            config["thinkingConfig"] = ["thinkingBudget": .number(Double(budget)), "includeThoughts": true]
        }
        // Gemini's own spelling is the most specific thing the caller said, so it wins.
        if let native = extra["generationConfig"]?.objectValue {
            config.merge(native) { _, native in native }
        }
        return config
    }
}
