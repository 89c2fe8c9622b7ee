import SwitchyardModel

/// The body's members, in one pass. Public so that a caller decoding a larger union (Bedrock's model families) can
/// read it from its own decoder.
public struct AnthropicWireRequest: Decodable {
    public static let formKey = CodingUserInfoKey(rawValue: "switchyard.anthropic.form")!
    public let value: AnthropicRequest

    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, form: decoder.userInfo[Self.formKey] as? AnthropicRequestForm ?? .messages)
    }

    public init(from decoder: any Decoder, form: AnthropicRequestForm) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        var model: String?
        if form != .bedrockInvoke {
            try c.require("model")
            model = try c.nonEmptyString("model")
        }
        let messagesKey: WireKey = "messages"
        try c.require(messagesKey)
        let messages = try c.decode([AnthropicWireMessage].self, forKey: messagesKey).map(\.value)
        if messages.isEmpty { throw c.failure(messagesKey, "must contain at least one message") }

        let systemKey: WireKey = "system"
        let system = try c.decodeIfPresent(AnthropicWireContent.self, forKey: systemKey)?.parts ?? []
        for part in system {
            switch part {
            case .text, .cachePoint: continue
            default: throw c.failure(systemKey, "may hold text blocks only")
            }
        }

        var inference = InferenceConfig()
        if form == .messages { try c.require("max_tokens") }
        if form != .countTokens {
            inference.maxTokens = try c.positiveInt("max_tokens")
            inference.temperature = try c.decodeIfPresent(Double.self, forKey: "temperature")
            inference.topP = try c.decodeIfPresent(Double.self, forKey: "top_p")
            inference.stopSequences = try c.stopSequences("stop_sequences")
        }

        var tools = try c.decodeIfPresent([AnthropicWireTool].self, forKey: "tools")?.map(\.value) ?? []
        let choiceKey: WireKey = "tool_choice"
        var choice: ToolChoice?
        switch try c.decodeIfPresent(AnthropicWireToolChoice.self, forKey: choiceKey) {
        case .never?:
            // The canonical model has no "never call a tool"; offering no tools means the same.
            tools = []
        case .choice(let picked)?:
            if case .tool(let name) = picked, !tools.contains(where: { $0.name == name }) {
                throw WireDecodingFailure(c.codingPath + [choiceKey, WireKey("name")], "'\(name)' is not the name of a tool in tools")
            }
            choice = picked
        case nil:
            break
        }

        var additional: [String: JSONValue] = [:]
        try c.passThrough(form.extraFields, into: &additional)
        var stream = false
        if form == .messages { stream = try c.decodeIfPresent(Bool.self, forKey: "stream") ?? false }

        value = AnthropicRequest(
            model: model, stream: stream,
            chat: ChatRequest(
                system: system, messages: messages, inference: inference, tools: tools,
                toolChoice: tools.isEmpty ? nil : choice, additionalFields: additional))
    }
}
