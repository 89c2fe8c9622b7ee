import GeminiDialect
import NIOCore
import SwitchyardModel

/// `:countTokens`, with Gemini's own tokenizer.
extension GeminiProvider: TokenCountingProvider {
    struct TokenCount: Decodable {
        var totalTokens: Int?
    }

    public func countTokens(_ request: ChatRequest, target: UpstreamTarget) async throws -> Int {
        let body = JSONCoding.encode(GeminiRequestBuilder.countTokensBody(request, model: target.model))
        let answer = try await post(url(target, "countTokens"), body: body, target: target)
        return try JSONCoding.decode(TokenCount.self, from: answer, provider: target.provider).totalTokens ?? 0
    }
}
