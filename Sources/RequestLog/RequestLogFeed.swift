import Foundation
import ServiceLifecycle
import Stores
import Synchronization

/// What a live-feed subscriber receives: each ended call, and a heartbeat so idle connections stay open through
/// proxies and a client can tell a quiet gateway from a dead one.
public enum RequestLogFeedEvent: Sendable {
    case record(RequestLogRecord)
    case heartbeat
}

/// The live tail of the request log (`GET /api/logs/stream`). Publishing never waits: each subscriber has its own
/// bounded buffer, and a subscriber that reads too slowly loses its oldest undelivered rows, never slows a call.
/// As a service it sends the heartbeats and, on shutdown, ends every subscription so the HTTP server can drain.
public final class RequestLogFeed: Service, Sendable {
    struct State {
        var nextId = 0
        var subscribers: [Int: AsyncStream<RequestLogFeedEvent>.Continuation] = [:]
        var closed = false
        var dropped = 0
    }

    public let bufferSize: Int
    public let heartbeatInterval: Duration
    private let state = Mutex(State())

    public init(bufferSize: Int = 256, heartbeatInterval: Duration = .seconds(15)) {
        self.bufferSize = max(1, bufferSize)
        self.heartbeatInterval = heartbeatInterval
    }

    /// A new subscription, registered before this returns (so a call ended after it is delivered). It ends when
    /// the feed closes or the consumer stops iterating.
    public func subscribe() -> AsyncStream<RequestLogFeedEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: RequestLogFeedEvent.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            defer { state.nextId += 1 }
            state.subscribers[state.nextId] = continuation
            return state.nextId
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Rows a slow subscriber's full buffer pushed out.
    public var dropped: Int { state.withLock { $0.dropped } }

    public func publish(_ record: RequestLogRecord) {
        broadcast(.record(record))
    }

    func broadcast(_ event: RequestLogFeedEvent) {
        let subscribers = state.withLock { $0.subscribers.isEmpty ? [] : Array($0.subscribers.values) }
        guard !subscribers.isEmpty else { return }
        var dropped = 0
        for subscriber in subscribers {
            if case .dropped = subscriber.yield(event) { dropped += 1 }
        }
        if dropped > 0 { state.withLock { $0.dropped += dropped } }
    }

    /// Ends every subscription; later subscriptions end at once.
    public func close() {
        let subscribers = state.withLock { state in
            state.closed = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    public func run() async throws {
        let interval = heartbeatInterval
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                self.broadcast(.heartbeat)
            }
        }
        close()
    }
}
