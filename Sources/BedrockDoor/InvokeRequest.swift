import SwitchyardModel

/// An InvokeModel body read into the canonical model, with what its answer must look like.
public enum InvokeRequest: Sendable, Hashable {
    case chat(ChatRequest, family: InvokeFamily)
    /// `byType`: the answer also (Titan v2) or only (Cohere `embedding_types`) carries vectors keyed by type.
    case embedding(EmbeddingRequest, family: InvokeFamily, byType: Bool)

    public var family: InvokeFamily {
        switch self {
        case .chat(_, let family), .embedding(_, let family, _): family
        }
    }
}
