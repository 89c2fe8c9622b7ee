/// What one batch record asks of a model, in the canonical model.
public enum BatchModelRequest: Sendable, Hashable {
    case chat(ChatRequest)
    case embedding(EmbeddingRequest)
}
