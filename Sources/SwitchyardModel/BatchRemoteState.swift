/// Where a provider says its batch is.
public struct BatchRemoteState: Sendable, Hashable {
    public enum Phase: Sendable, Hashable {
        /// Accepted, checking or queued.
        case validating
        case running
        /// Done running; the results can be fetched.
        case ended
        case failed(String)
        case cancelling
        /// Cancelled; whatever finished before can be fetched.
        case cancelled
        case expired
    }

    public var phase: Phase
    public var total: Int
    public var succeeded: Int
    public var failed: Int

    public init(phase: Phase, total: Int = 0, succeeded: Int = 0, failed: Int = 0) {
        self.phase = phase
        self.total = total
        self.succeeded = succeeded
        self.failed = failed
    }
}
