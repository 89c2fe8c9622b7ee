import SwitchyardModel

/// What the engine is about to send: the plugins' view of a call before any upstream sees it.
public struct PlannedCall: Sendable {
    public let context: CallContext
    /// The resolved primary target (fallbacks are planned again when they are tried).
    public let provider: String
    public let model: String
    /// The canonical request, for chat calls (nil for passthrough, files and batch submissions).
    public let request: ChatRequest?
    /// What the call spends, so a budget can hold its worst case before it is sent.
    public let metering: CallMetering

    public init(context: CallContext, provider: String, model: String, request: ChatRequest?, metering: CallMetering) {
        self.context = context
        self.provider = provider
        self.model = model
        self.request = request
        self.metering = metering
    }
}

/// Whether and how a call spends tokens.
public enum CallMetering: Sendable, Hashable {
    /// Spends none: a token count, a provider file call, a native batch submission or poll.
    case none
    /// A chat call: its canonical `request` says what goes up and how much may come back.
    case chat
    /// A call without a canonical request (passthrough, embeddings): the bytes of input it sends, and the output
    /// cap it names, when it names one.
    case raw(inputBytes: Int, maxOutputTokens: Int?)
}

/// One link of the engine's plugin chain (governance, cache, request log, metrics, tracing). Plugins run in the
/// order they are configured, see canonical values only, and see every call: every door, passthrough, streams,
/// batch records and provider file calls.
public protocol CallPlugin: Sendable {
    /// Before the call's first upstream attempt. Throwing a `GatewayError` refuses the call; the door renders it
    /// in its dialect and no upstream is contacted. Keep nothing of `call` beyond this: holding its context alive
    /// would keep the context's safety net (a call its door lost ends as `clientGone`) from ever running.
    func callWillStart(_ call: PlannedCall) async throws

    /// Exactly once per call, when the client has its whole answer or the call has failed. Must not block: a
    /// plugin that writes somewhere queues the record and returns.
    func callEnded(_ record: CallRecord)
}

extension CallPlugin {
    public func callWillStart(_ call: PlannedCall) async throws {}
}
