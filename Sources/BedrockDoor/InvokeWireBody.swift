import AnthropicDialect
import SwitchyardModel

/// Detects a body's family and decodes it with that family's decoder, in the same pass over the JSON.
struct InvokeWireBody: Decodable {
    let value: InvokeRequest

    init(from decoder: any Decoder) throws {
        let modelId = decoder.userInfo[InvokeRequestDecoder.modelIdKey] as? String ?? ""
        let family = try InvokeFamily.detect(modelId: modelId, probe: InvokeBodyProbe(from: decoder))
        switch family {
        case .anthropic: value = .chat(try AnthropicWireRequest(from: decoder, form: .bedrockInvoke).value.chat, family: family)
        case .nova: value = .chat(try InvokeNovaRequest(from: decoder).value, family: family)
        case .titanText: value = .chat(try InvokeTitanTextRequest(from: decoder).value, family: family)
        case .mistral: value = .chat(try InvokeMistralRequest(from: decoder).value, family: family)
        case .mistralChat: value = .chat(try InvokeMistralChatRequest(from: decoder).value, family: family)
        case .llama: value = .chat(try InvokeLlamaRequest(from: decoder).value, family: family)
        case .cohere: value = .chat(try InvokeCohereRequest(from: decoder).value, family: family)
        case .cohereChat: value = .chat(try InvokeCohereChatRequest(from: decoder).value, family: family)
        case .titanEmbedding:
            let body = try InvokeTitanEmbeddingRequest(from: decoder)
            value = .embedding(body.value, family: family, byType: body.byType)
        case .cohereEmbedding:
            let body = try InvokeCohereEmbeddingRequest(from: decoder)
            value = .embedding(body.value, family: family, byType: body.byType)
        }
    }
}
