import SwitchyardModel

/// The hashes the cache files entries under, computed on the canonical request so that every door's form of the
/// same question (Converse, ConverseStream, an InvokeModel family body) finds the same entry.
public enum RequestFingerprint {
    /// Raised when the encoding changes, so old entries are simply never found again.
    static let version = 1

    /// The exact key: the scope, the resolved provider and model, and everything of the request that shapes the
    /// answer. Not the metadata, the fallbacks or the cache controls.
    public static func exactKey(_ request: ChatRequest, scope: String, provider: String, model: String) -> String {
        var bytes = header("exact", scope: scope, provider: provider, model: model)
        bytes.request(request)
        return bytes.finish()
    }

    /// The semantic partition: entries whose answers a paraphrase may take. Same scope, model and parameters, and
    /// vectors from the same embeddings model; the conversation itself is what the vectors compare.
    public static func partition(_ request: ChatRequest, scope: String, provider: String, model: String, embeddingModel: String) -> String {
        var bytes = header("semantic", scope: scope, provider: provider, model: model)
        bytes.string(embeddingModel)
        bytes.parameters(request)
        return bytes.finish()
    }

    private static func header(_ level: String, scope: String, provider: String, model: String) -> CanonicalBytes {
        var bytes = CanonicalBytes()
        bytes.string("switchyard-cache")
        bytes.int(version)
        bytes.string(level)
        bytes.string(scope)
        bytes.string(provider)
        bytes.string(model)
        return bytes
    }
}
