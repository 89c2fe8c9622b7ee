import Logging
import Stores
import Synchronization

/// Writes the cache's new entries and removals to the store behind the answers: whatever arrived while the
/// previous write ran goes in the next one, as one transaction, so misses never wait for the database and a burst
/// of them costs one commit. At most one write is in flight.
final class CacheStoreWriter: Sendable {
    let store: any CacheEntryStore
    let logger: Logger
    private let state = Mutex(Pending())

    struct Pending {
        var puts: [CacheEntryRecord] = []
        var deletes: [String] = []
        var writing = false
    }

    init(store: any CacheEntryStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func put(_ record: CacheEntryRecord, deleting ids: [String]) {
        enqueue { pending in
            pending.puts.append(record)
            pending.deletes += ids
        }
    }

    func delete(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        enqueue { $0.deletes += ids }
    }

    /// Returns once everything queued before the call is in the store.
    func flush() async {
        while state.withLock({ $0.writing || !$0.puts.isEmpty || !$0.deletes.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    private func enqueue(_ change: (inout Pending) -> Void) {
        let start = state.withLock { pending -> Bool in
            change(&pending)
            guard !pending.writing else { return false }
            pending.writing = true
            return true
        }
        if start { Task { await drain() } }
    }

    private func drain() async {
        while true {
            let batch: (puts: [CacheEntryRecord], deletes: [String])? = state.withLock { pending in
                guard !pending.puts.isEmpty || !pending.deletes.isEmpty else {
                    pending.writing = false
                    return nil
                }
                defer {
                    pending.puts.removeAll(keepingCapacity: true)
                    pending.deletes.removeAll(keepingCapacity: true)
                }
                return (pending.puts, pending.deletes)
            }
            guard let batch else { return }
            do {
                try await store.write(puts: batch.puts, deletes: batch.deletes)
            } catch {
                logger.warning("answer cache entries not persisted", metadata: ["entries": "\(batch.puts.count)", "error": "\(error)"])
            }
        }
    }
}
