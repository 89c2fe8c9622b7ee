import SwitchyardModel

/// Times one invoke stream from the moment the gateway asked the engine for it: the first event is the first byte.
struct InvokeStreamClock: Sendable {
    let started: ContinuousClock.Instant
    private(set) var firstByteMs: Int?

    init(started: ContinuousClock.Instant = .now) {
        self.started = started
    }

    var elapsedMs: Int { Int((ContinuousClock.now - started) / .milliseconds(1)) }

    mutating func sawEvent() {
        if firstByteMs == nil { firstByteMs = elapsedMs }
    }

    func metrics(_ usage: Usage) -> InvocationMetrics {
        let total = elapsedMs
        return InvocationMetrics(usage: usage, invocationLatency: total, firstByteLatency: firstByteMs ?? total)
    }
}
