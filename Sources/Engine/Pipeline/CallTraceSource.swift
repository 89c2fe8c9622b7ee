/// A plugin whose tracer picks span ids itself (swift-otel offers no way to give it ours), so the call's record —
/// and through it the request log — carries the ids of the span the tracer actually exports.
public protocol CallTraceSource: Sendable {
    /// Opens the call's span as the call begins, under `caller` (the client's `traceparent`, nil for a new
    /// trace), and returns its ids; nil leaves the choice to the engine. The span is closed in `callEnded`.
    func openTrace(_ descriptor: CallDescriptor, caller: TraceParent?) -> TraceParent?

    /// Opens the CLIENT span of an upstream attempt as it starts, under the call's span (`call`, as `openTrace`
    /// returned it), and returns its ids: the upstream gets them as its `traceparent`. The span is closed, with
    /// the attempt's outcome, in `callEnded`. Nil when the call has no open span.
    func openAttempt(of call: TraceParent, provider: String, model: String) -> TraceParent?
}
