import Engine

/// The GenAI semantic conventions' names for what a call asked of the model.
enum GenAIOperation {
    /// `gen_ai.operation.name`: what the engine's entry point served (an InvokeModel is a chat or an embedding by
    /// its model family, which the door read), else what the door's operation is (a native batch's record, a
    /// passthrough, a file call: chat unless it counts tokens).
    static func name(for record: CallRecord) -> String {
        switch record.purpose {
        case .embeddings?: return "embeddings"
        case .tokenCount?: return "count_tokens"
        case .chat?: return "chat"
        case nil: return record.descriptor.operation == "CountTokens" ? "count_tokens" : "chat"
        }
    }
}
