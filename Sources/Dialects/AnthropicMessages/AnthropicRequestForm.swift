import SwitchyardModel

/// Which of the dialect's request bodies is read: they share messages, system, tools and sampling members, and
/// differ in what names the model and what else rides along.
public enum AnthropicRequestForm: Sendable, Hashable {
    /// `POST /v1/messages`: `model` and `max_tokens` required, `stream`, `metadata` and the API's other members.
    case messages
    /// `POST /v1/messages/count_tokens`: `model` required, no output members.
    case countTokens
    /// A Bedrock InvokeModel body: `anthropic_version` instead of `model`, `anthropic_beta` in the body.
    case bedrockInvoke

    /// Members without a canonical place that travel as extra fields, for the providers whose API knows them.
    var extraFields: [WireKey] {
        switch self {
        case .messages: ["top_k", "thinking", "metadata", "service_tier", "container", "mcp_servers", "context_management"]
        case .countTokens: ["thinking", "mcp_servers", "context_management"]
        case .bedrockInvoke: ["top_k", "thinking", "anthropic_beta"]
        }
    }
}
