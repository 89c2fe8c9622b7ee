import Synchronization

/// A one-producer, one-consumer handoff from the task that reads an upstream answer to the caller's task, bounded
/// so that a slow client slows the upstream read: once `limit` elements are unread, `send` waits until the consumer
/// takes one. The producer then stops pulling from AsyncHTTPClient's body, which stops reading the socket, and TCP
/// pushes back on the upstream. An `AsyncThrowingStream` continuation would buffer without end instead.
///
/// The consumer's side is an `AsyncThrowingStream(unfolding:)` (pull-based, so it adds no buffer of its own); when
/// that stream is gone or its task cancelled, `onCancel` runs once so the producer's task can be cancelled.
final class BackpressuredFeed<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        var head = 0
        var consumer: CheckedContinuation<Element?, any Error>?
        var producer: CheckedContinuation<Void, any Error>?
        var end: (any Error)??
        var cancelled = false
        var unread: Int { buffer.count - head }
    }

    private let state = Mutex(State())
    private let limit: Int
    private let onCancel = Mutex<(@Sendable () -> Void)?>(nil)

    init(limit: Int = 16) {
        self.limit = max(1, limit)
    }

    /// Whether the producer is waiting for the consumer: the time it waits is the client's, not the upstream's.
    var producerWaits: Bool { state.withLock { $0.producer != nil } }

    func whenCancelled(_ action: @escaping @Sendable () -> Void) {
        onCancel.withLock { $0 = action }
    }

    /// Hands `element` over; waits while `limit` are unread. Throws `CancellationError` once the consumer is gone.
    func send(_ element: Element) async throws {
        let handedOver: Bool = try state.withLock { state in
            if state.cancelled { throw CancellationError() }
            if let consumer = state.consumer {
                state.consumer = nil
                consumer.resume(returning: element)
                return true
            }
            state.buffer.append(element)
            return state.unread < limit
        }
        if handedOver { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { state in
                    if state.cancelled || Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else if state.unread < limit {
                        continuation.resume()
                    } else {
                        state.producer = continuation
                    }
                }
            }
        } onCancel: {
            state.withLock { $0.producer.take() }?.resume(throwing: CancellationError())
        }
    }

    /// Ends the feed after what is buffered; `error` is thrown to the consumer after the last element.
    func finish(throwing error: (any Error)? = nil) {
        state.withLock { state in
            guard state.end == nil else { return }
            state.end = .some(error)
            if let consumer = state.consumer {
                state.consumer = nil
                if let error { consumer.resume(throwing: error) } else { consumer.resume(returning: nil) }
            }
        }
    }

    func next() async throws -> Element? {
        if let ready = try state.withLock({ try take(&$0) }) { return ready }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
                let taken: Result<Element?, any Error>? = state.withLock { state in
                    do {
                        if let element = try take(&state) { return .success(element) }
                        if state.end != nil || state.cancelled { return .success(nil) }
                    } catch {
                        return .failure(error)
                    }
                    state.consumer = continuation
                    return nil
                }
                if let taken { continuation.resume(with: taken) }
            }
        } onCancel: {
            cancel()
        }
    }

    /// An element if one is buffered, else nil; at the end, the end's error (once).
    private func take(_ state: inout State) throws -> Element? {
        if state.head < state.buffer.count {
            let element = state.buffer[state.head]
            state.head += 1
            if state.head == state.buffer.count {
                state.buffer.removeAll(keepingCapacity: true)
                state.head = 0
            }
            if state.unread < limit, let producer = state.producer {
                state.producer = nil
                producer.resume()
            }
            return element
        }
        if case .some(.some(let error)) = state.end {
            state.end = .some(nil)
            throw error
        }
        return nil
    }

    /// The consumer is gone: wake both sides and let the producer's task know.
    func cancel() {
        let (producer, consumer) = state.withLock { state -> (CheckedContinuation<Void, any Error>?, CheckedContinuation<Element?, any Error>?) in
            guard !state.cancelled else { return (nil, nil) }
            state.cancelled = true
            state.buffer.removeAll()
            state.head = 0
            defer { state.producer = nil; state.consumer = nil }
            return (state.producer, state.consumer)
        }
        producer?.resume(throwing: CancellationError())
        consumer?.resume(throwing: CancellationError())
        onCancel.withLock { $0.take() }?()
    }

    /// The consumer's end. Dropping it (and its iterator) without reading to the end cancels the feed.
    var stream: AsyncThrowingStream<Element, any Error> {
        let release = Release(self)
        return AsyncThrowingStream(unfolding: { try await release.feed.next() })
    }

    private final class Release: Sendable {
        let feed: BackpressuredFeed
        init(_ feed: BackpressuredFeed) { self.feed = feed }
        deinit { feed.cancel() }
    }
}
