import Stores
import Synchronization

/// The writer's queue: a lock-protected array, so a request's enqueue is a short critical section, never an actor
/// hop or an await. Bounded: a full queue refuses the record and counts it.
final class RequestLogBuffer: Sendable {
    struct State {
        var records: [RequestLogRecord] = []
        var dropped = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Nil when the queue is full (the record is dropped), else how many records wait, this one included.
    func append(_ record: RequestLogRecord) -> Int? {
        state.withLock { state in
            guard state.records.count < capacity else {
                state.dropped += 1
                return nil
            }
            state.records.append(record)
            return state.records.count
        }
    }

    /// Everything queued, oldest first; the queue is empty afterwards.
    func takeAll() -> [RequestLogRecord] {
        state.withLock { state in
            var taken: [RequestLogRecord] = []
            swap(&taken, &state.records)
            return taken
        }
    }

    var depth: Int { state.withLock { $0.records.count } }

    var dropped: Int { state.withLock { $0.dropped } }
}
