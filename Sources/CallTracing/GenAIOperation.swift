import Engine

/// The GenAI semantic conventions' names for what a call asked of the model.
enum GenAIOperation {
    /// `gen_ai.operation.name` for a door's operation. Embedding models come in through InvokeModel, so the model
    /// name tells them apart (the record carries no other marker yet).
    static func name(for descriptor: CallDescriptor, model: String?) -> String {
        switch descriptor.operation {
        case "CountTokens":
            return "count_tokens"
        case "InvokeModel", "BatchRecord":
            let models = [model, descriptor.modelRequested].compactMap { $0?.lowercased() }
            return models.contains(where: { $0.contains("embed") }) ? "embeddings" : "chat"
        default:
            return "chat"
        }
    }
}
