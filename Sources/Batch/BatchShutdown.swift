import Synchronization

/// Set once the gateway is shutting down: runners take no further record, and let the ones in flight finish.
final class BatchShutdown: Sendable {
    private let flag = Mutex(false)

    var isSet: Bool { flag.withLock { $0 } }

    func set() { flag.withLock { $0 = true } }
}
