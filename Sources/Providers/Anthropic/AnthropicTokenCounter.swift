import NIOCore
import SwitchyardModel

/// `/v1/messages/count_tokens`, with Anthropic's own tokenizer.
extension AnthropicProvider: TokenCountingProvider {
    /// The members the counting endpoint takes; it refuses the sampling and length members of a Messages body.
    static let countedFields: Set<String> = ["model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers"]

    struct TokenCount: Decodable {
        var input_tokens: Int
    }

    public func countTokens(_ request: ChatRequest, target: UpstreamTarget) async throws -> Int {
        guard case .object(let full) = AnthropicRequestBuilder.body(request, model: target.model, stream: false) else {
            throw GatewayError(.internalError, "the Anthropic request could not be built")
        }
        let body = JSONCoding.encode(JSONValue.object(full.filter { Self.countedFields.contains($0.key) }))
        let answer = try await http.postJSON(
            url: url(target) + "/count_tokens", headers: headers(target, request), body: body, target: target)
        return try JSONCoding.decode(TokenCount.self, from: answer, provider: target.provider).input_tokens
    }
}
