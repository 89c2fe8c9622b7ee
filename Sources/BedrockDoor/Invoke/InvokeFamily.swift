import Engine
import SwitchyardModel

/// The model families whose InvokeModel bodies the gateway reads, and answers in, whichever provider serves them.
public enum InvokeFamily: String, Sendable, Hashable, CaseIterable {
    /// Anthropic Messages (`anthropic_version`, `messages`).
    case anthropic
    /// Amazon Nova (`schemaVersion: messages-v1`).
    case nova
    /// Amazon Titan Text (`inputText`, `textGenerationConfig`).
    case titanText
    /// Mistral completion (`prompt`).
    case mistral
    /// Mistral chat (`messages` with string content).
    case mistralChat
    /// Meta Llama (`prompt`, `max_gen_len`).
    case llama
    /// Cohere Command (`prompt`).
    case cohere
    /// Cohere Command R (`message`, `chat_history`).
    case cohereChat
    /// Amazon Titan embeddings (`inputText`, `dimensions`, `normalize`).
    case titanEmbedding
    /// Cohere embeddings (`texts`, `input_type`, `embedding_types`).
    case cohereEmbedding

    public var isEmbedding: Bool { self == .titanEmbedding || self == .cohereEmbedding }

    /// The one place a family meets its codec: everything the family reads and writes is there.
    var codec: any InvokeFamilyCodec.Type {
        switch self {
        case .anthropic: InvokeAnthropicCodec.self
        case .nova: InvokeNovaCodec.self
        case .titanText: InvokeTitanTextCodec.self
        case .mistral: InvokeMistralCodec.self
        case .mistralChat: InvokeMistralChatCodec.self
        case .llama: InvokeLlamaCodec.self
        case .cohere: InvokeCohereCodec.self
        case .cohereChat: InvokeCohereChatCodec.self
        case .titanEmbedding: InvokeTitanEmbeddingCodec.self
        case .cohereEmbedding: InvokeCohereEmbeddingCodec.self
        }
    }

    static let supportedList =
        "Anthropic Messages (anthropic_version, messages), Amazon Nova (schemaVersion messages-v1), Amazon Titan Text (inputText), "
        + "Mistral (prompt, or messages), Meta Llama (prompt with a meta/llama model id), Cohere Command (prompt or message with a cohere model id), "
        + "and, with a model id containing 'embed', Titan embeddings (inputText) and Cohere embeddings (texts)"

    static func unsupported(_ what: String) -> GatewayError {
        GatewayError(.validation, "\(what); the supported InvokeModel body families are \(supportedList)")
    }

    /// The family a body belongs to: a Bedrock model id names its vendor's family; otherwise the body's own members
    /// decide, with the model id breaking the ties between families that share a member (`prompt`, `inputText`).
    static func detect(modelId: String, probe: InvokeBodyProbe) throws(GatewayError) -> InvokeFamily {
        let id = modelId.lowercased()
        if id.contains("embed") {
            if probe.keys.contains("texts") || (id.contains("cohere") && !probe.keys.contains("inputText")) { return .cohereEmbedding }
            if probe.keys.contains("inputText") { return .titanEmbedding }
            throw unsupported("the model '\(modelId)' is an embedding model, but the body has neither 'inputText' (Titan) nor 'texts' (Cohere)")
        }
        if let family = fromBedrockId(id, probe: probe) { return family }
        if let family = fromBody(id, probe: probe) { return family }
        let members = probe.keys.sorted().prefix(8).map { "'\($0)'" }.joined(separator: ", ")
        throw unsupported("the body of model '\(modelId)' is in no known model family (its members: \(members.isEmpty ? "none" : members))")
    }

    /// `anthropic.…`, `us.anthropic.…`, ARNs, and `bedrock/…` ids: the vendor decides.
    static func fromBedrockId(_ id: String, probe: InvokeBodyProbe) -> InvokeFamily? {
        let last = id.split(separator: "/").last.map(String.init) ?? id
        let base = BedrockModelID.baseModel(last)
        if base.hasPrefix("anthropic.") { return .anthropic }
        if base.hasPrefix("amazon.nova-") { return .nova }
        if base.hasPrefix("amazon.titan-") { return .titanText }
        if base.hasPrefix("mistral.") { return probe.keys.contains("messages") ? .mistralChat : .mistral }
        if base.hasPrefix("meta.") { return .llama }
        if base.hasPrefix("cohere.") { return probe.keys.contains("message") ? .cohereChat : .cohere }
        return nil
    }

    static func fromBody(_ id: String, probe: InvokeBodyProbe) -> InvokeFamily? {
        let keys = probe.keys
        if keys.contains("anthropic_version") { return .anthropic }
        if probe.schemaVersion != nil { return .nova }
        if keys.contains("messages") {
            switch probe.messageShape {
            case .typedBlocks: return .anthropic
            case .untypedBlocks: return .nova
            case .text: return id.contains("mistral") ? .mistralChat : .anthropic
            case .unknown: return keys.contains("inferenceConfig") ? .nova : .anthropic
            }
        }
        if keys.contains("texts") { return .cohereEmbedding }
        if keys.contains("inputText") { return .titanText }
        if keys.contains("prompt") {
            if id.contains("meta") || id.contains("llama") { return .llama }
            if id.contains("cohere") { return .cohere }
            return .mistral
        }
        if keys.contains("message") { return .cohereChat }
        return nil
    }
}

/// What family detection needs to know about a body: its top-level members, `schemaVersion`, and the shape of the
/// first message's content. It never fails on odd shapes; the family's own decoder reports those precisely.
struct InvokeBodyProbe: Decodable {
    enum MessageShape {
        /// `[{"type": "text", …}]`: Anthropic.
        case typedBlocks
        /// `[{"text": …}]`: Nova (Converse-style unions).
        case untypedBlocks
        /// `"content": "…"`: Anthropic or Mistral chat.
        case text
        case unknown
    }

    var keys: Set<String> = []
    var schemaVersion: String?
    var messageShape = MessageShape.unknown

    init(keys: Set<String>, schemaVersion: String? = nil, messageShape: MessageShape = .unknown) {
        self.keys = keys
        self.schemaVersion = schemaVersion
        self.messageShape = messageShape
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        keys = Set(c.allKeys.map(\.stringValue))
        schemaVersion = try? c.decodeIfPresent(String.self, forKey: "schemaVersion")
        // Only the first message is looked at: a long conversation is not decoded twice.
        if keys.contains("messages"), var list = try? c.nestedUnkeyedContainer(forKey: "messages"), !list.isAtEnd,
           let first = try? list.decode(FirstContent.self) {
            messageShape = first.shape
        }
    }

    private struct FirstContent: Decodable {
        var shape = MessageShape.unknown

        init(from decoder: any Decoder) throws {
            guard let c = try? decoder.container(keyedBy: WireKey.self) else { return }
            if (try? c.decode(String.self, forKey: "content")) != nil {
                shape = .text
            } else if var blocks = try? c.nestedUnkeyedContainer(forKey: "content"), !blocks.isAtEnd,
                      let block = try? blocks.decode(Block.self) {
                shape = block.typed ? .typedBlocks : .untypedBlocks
            }
        }
    }

    private struct Block: Decodable {
        var typed = false

        init(from decoder: any Decoder) throws {
            typed = (try? decoder.container(keyedBy: WireKey.self).contains("type")) ?? false
        }
    }
}
