import Synchronization

/// The jobs a runner task is working on, so a scan never starts a second task for the same job.
final class BatchInFlight: Sendable {
    private let ids = Mutex(Set<String>())

    /// False when the job already has a task.
    func claim(_ id: String) -> Bool { ids.withLock { $0.insert(id).inserted } }

    func release(_ id: String) { _ = ids.withLock { $0.remove(id) } }
}
