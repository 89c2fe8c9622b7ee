import Foundation
import NIOCore
import SwitchyardModel

/// `:batchEmbedContents`, one request per input.
extension GeminiProvider: EmbeddingProvider {
    struct EmbeddingAnswer: Decodable {
        struct Embedding: Decodable {
            var values: [Double]
        }

        var embeddings: [Embedding]
    }

    /// The canonical purposes, and Gemini's own task types passed as they are.
    static let taskTypes: [String: String] = [
        "search_document": "RETRIEVAL_DOCUMENT", "search_query": "RETRIEVAL_QUERY", "classification": "CLASSIFICATION",
        "clustering": "CLUSTERING", "RETRIEVAL_DOCUMENT": "RETRIEVAL_DOCUMENT", "RETRIEVAL_QUERY": "RETRIEVAL_QUERY",
        "CLASSIFICATION": "CLASSIFICATION", "CLUSTERING": "CLUSTERING", "SEMANTIC_SIMILARITY": "SEMANTIC_SIMILARITY",
        "QUESTION_ANSWERING": "QUESTION_ANSWERING", "FACT_VERIFICATION": "FACT_VERIFICATION",
        "CODE_RETRIEVAL_QUERY": "CODE_RETRIEVAL_QUERY",
    ]

    public func embed(_ request: EmbeddingRequest, target: UpstreamTarget) async throws -> EmbeddingResponse {
        let started = ContinuousClock.now
        let body = JSONCoding.encode(Self.embeddingBody(request, model: target.model))
        let answer = try await post(url(target, "batchEmbedContents"), body: body, target: target)
        let decoded = try JSONCoding.decode(EmbeddingAnswer.self, from: answer, provider: target.provider)
        // Gemini does not report the tokens an embedding cost.
        return EmbeddingResponse(
            vectors: try Self.vectors(decoded, for: request, provider: target.provider), inputTokens: 0,
            latencyMs: Int((ContinuousClock.now - started) / .milliseconds(1)))
    }

    /// Vectors pair with inputs by position only, so a short answer must fail rather than shift them.
    static func vectors(_ answer: EmbeddingAnswer, for request: EmbeddingRequest, provider: String) throws -> [[Double]] {
        guard answer.embeddings.count == request.inputs.count else {
            throw GatewayError(
                .internalError,
                "provider '\(provider)' returned \(answer.embeddings.count) embeddings for \(request.inputs.count) inputs")
        }
        return answer.embeddings.map { request.normalize ? VectorMath.normalized($0.values) : $0.values }
    }

    static func embeddingBody(_ request: EmbeddingRequest, model: String) -> JSONValue {
        let name = JSONValue.string("models/\(modelName(model))")
        let taskType = request.purpose.flatMap { taskTypes[$0] }
        let requests: [JSONValue] = request.inputs.map { input in
            var item: [String: JSONValue] = ["model": name, "content": ["parts": [["text": .string(input)]]]]
            if let taskType { item["taskType"] = .string(taskType) }
            if let dimensions = request.dimensions { item["outputDimensionality"] = .number(Double(dimensions)) }
            return .object(item)
        }
        return ["requests": .array(requests)]
    }
}
