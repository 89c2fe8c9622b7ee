/// What an adapter tells the gateway about an answer it forwards without translating (passthrough), so that usage,
/// stop reason and failures of such calls are counted like any other.
public protocol CallObserver: Sendable {
    func observeFirstByte()
    func observeUsage(_ usage: Usage)
    /// The answer's stop reason in the upstream's own words (`end_turn`, `tool_use`, …).
    func observeStop(_ reason: String)
    /// A failure reported inside an answer that had already begun (an exception frame in an event stream).
    func observeFailure(_ error: GatewayError)
    /// Bytes of answer content the call keeps for the request log (content logging on); nil keeps none, and the
    /// adapter then copies nothing.
    var answerCaptureBytes: Int? { get }
    /// Answer content as it passes (text deltas, or the answer's own JSON), kept up to `answerCaptureBytes`.
    func observeAnswerText(_ text: String)
}

extension CallObserver {
    public var answerCaptureBytes: Int? { nil }
    public func observeAnswerText(_ text: String) {}
}

extension StopReason {
    /// The stop reason's name in logs, metrics and Converse answers (Bedrock's spelling).
    public var name: StaticString {
        switch self {
        case .endTurn: "end_turn"
        case .toolUse: "tool_use"
        case .maxTokens: "max_tokens"
        case .stopSequence: "stop_sequence"
        case .guardrailIntervened: "guardrail_intervened"
        case .contentFiltered: "content_filtered"
        case .malformedModelOutput: "malformed_model_output"
        case .malformedToolUse: "malformed_tool_use"
        case .contextWindowExceeded: "model_context_window_exceeded"
        }
    }
}
