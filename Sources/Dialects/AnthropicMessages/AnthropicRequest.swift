import SwitchyardModel

/// A Messages request body read into the canonical model, with what the route needs besides.
public struct AnthropicRequest: Sendable, Hashable {
    /// The body's `model` (nil in the Bedrock form, where the path names it).
    public var model: String?
    public var stream: Bool
    public var chat: ChatRequest
}
