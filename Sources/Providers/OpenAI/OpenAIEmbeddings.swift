import Foundation
import NIOCore
import SwitchyardModel

/// `/embeddings`, for OpenAI and the compatible servers that offer it.
extension OpenAIProvider: EmbeddingProvider {
    struct EmbeddingAnswer: Decodable {
        struct Item: Decodable {
            var index: Int?
            var embedding: [Double]
        }

        struct Usage: Decodable {
            var prompt_tokens: Int?
        }

        var data: [Item]
        var usage: Usage?
    }

    public func embed(_ request: EmbeddingRequest, target: UpstreamTarget) async throws -> EmbeddingResponse {
        let started = ContinuousClock.now
        var body: [String: JSONValue] = [
            "model": .string(target.model), "input": .array(request.inputs.map { .string($0) }), "encoding_format": "float",
        ]
        if let dimensions = request.dimensions { body["dimensions"] = .number(Double(dimensions)) }
        var base = target.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let answer = try await http.postJSON(
            url: base + "/embeddings", headers: headers(target), body: JSONCoding.encode(JSONValue.object(body)), target: target)
        let decoded = try JSONCoding.decode(EmbeddingAnswer.self, from: answer, provider: target.provider)
        let ordered = decoded.data.enumerated().sorted { ($0.element.index ?? $0.offset) < ($1.element.index ?? $1.offset) }
        let vectors = ordered.map { request.normalize ? VectorMath.normalized($0.element.embedding) : $0.element.embedding }
        return EmbeddingResponse(
            vectors: vectors, inputTokens: decoded.usage?.prompt_tokens ?? 0,
            latencyMs: Int((ContinuousClock.now - started) / .milliseconds(1)))
    }
}
