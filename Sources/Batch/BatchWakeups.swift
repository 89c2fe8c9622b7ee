/// Wakes the runner: on every create and stop, and on a steady tick. One consumer (the runner); a burst of signals
/// while it is busy is one wake-up.
public struct BatchWakeups: Sendable {
    let stream: AsyncStream<Void>
    let continuation: AsyncStream<Void>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func signal() {
        continuation.yield()
    }
}
