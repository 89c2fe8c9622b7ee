import AnthropicDialect
import NIOCore
import SwitchyardModel

/// `/v1/messages/count_tokens`, with Anthropic's own tokenizer.
extension AnthropicProvider: TokenCountingProvider {
    struct TokenCount: Decodable {
        var input_tokens: Int
    }

    public func countTokens(_ request: ChatRequest, target: UpstreamTarget) async throws -> Int {
        let body = JSONCoding.encode(AnthropicRequestEncoder.countTokensBody(request, model: target.model))
        let answer = try await http.postJSON(
            url: url(target) + "/count_tokens", headers: headers(target, request), body: body, target: target)
        return try JSONCoding.decode(TokenCount.self, from: answer, provider: target.provider).input_tokens
    }
}
