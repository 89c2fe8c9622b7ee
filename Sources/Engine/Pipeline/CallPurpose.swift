/// What a call asks of the model, as the engine's entry point that served it knows: the door's operation alone
/// does not say (an InvokeModel is a chat or an embedding by its model family).
public enum CallPurpose: Sendable, Hashable {
    case chat
    case embeddings
    case tokenCount
}
