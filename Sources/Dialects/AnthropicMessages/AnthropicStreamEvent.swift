import SwitchyardModel

/// The events of a streamed Messages answer, each as it arrives.
public struct AnthropicStreamEvent: Decodable, Sendable {
    public struct Delta: Decodable, Sendable {
        public var type: String?
        public var text: String?
        public var partial_json: String?
        public var thinking: String?
        public var signature: String?
        public var stop_reason: String?
        public var stop_sequence: String?
    }

    public struct Start: Decodable, Sendable {
        public var usage: AnthropicUsage?
    }

    public struct Failure: Decodable, Sendable {
        public var type: String?
        public var message: String?
    }

    public var type: String
    public var index: Int?
    public var message: Start?
    public var content_block: AnthropicAnswerBlock?
    public var delta: Delta?
    public var usage: AnthropicUsage?
    public var error: Failure?
}
