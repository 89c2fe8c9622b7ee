/// Text to turn into vectors.
public struct EmbeddingRequest: Sendable, Hashable {
    public var inputs: [String]
    /// The vector length asked for, when the model can shorten its vectors.
    public var dimensions: Int?
    /// Scale each vector to unit length before returning it.
    public var normalize: Bool
    /// What the text is for (`search_document`, `search_query`, `classification`, `clustering`), for models that care.
    public var purpose: String?

    public init(inputs: [String], dimensions: Int? = nil, normalize: Bool = false, purpose: String? = nil) {
        self.inputs = inputs
        self.dimensions = dimensions
        self.normalize = normalize
        self.purpose = purpose
    }
}

public struct EmbeddingResponse: Sendable, Hashable {
    /// One vector per input, in input order.
    public var vectors: [[Double]]
    public var inputTokens: Int
    public var latencyMs: Int

    public init(vectors: [[Double]], inputTokens: Int, latencyMs: Int) {
        self.vectors = vectors
        self.inputTokens = inputTokens
        self.latencyMs = latencyMs
    }
}

/// A provider with an embeddings API.
public protocol EmbeddingProvider: Sendable {
    func embed(_ request: EmbeddingRequest, target: UpstreamTarget) async throws -> EmbeddingResponse
}

/// A provider that can count a request's input tokens with its own tokenizer.
public protocol TokenCountingProvider: Sendable {
    func countTokens(_ request: ChatRequest, target: UpstreamTarget) async throws -> Int
}
