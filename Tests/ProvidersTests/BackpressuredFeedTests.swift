import Synchronization
import Testing

@testable import Providers

@Suite struct BackpressuredFeedTests {
    struct Failed: Error, Equatable {}

    final class Box<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        var current: Value { value.withLock { $0 } }
    }

    /// Polls until `condition` holds (a producer task needs a moment to reach its wait).
    func eventually(_ condition: () -> Bool) async {
        for _ in 0..<500 where !condition() { try? await Task.sleep(for: .milliseconds(2)) }
    }

    @Test(arguments: [1, 4, 16])
    func theProducerWaitsOnceLimitElementsAreUnread(limit: Int) async throws {
        let feed = BackpressuredFeed<Int>(limit: limit)
        let sent = Box(0)
        let producer = Task {
            for value in 0..<100 {
                try await feed.send(value)
                sent.value.withLock { $0 += 1 }
            }
            feed.finish()
        }
        await eventually { feed.producerWaits }
        // `send` returns while fewer than `limit` are unread; the one that makes it `limit` waits.
        #expect(feed.producerWaits)
        #expect(sent.current == limit - 1)
        var received: [Int] = []
        for try await value in feed.stream { received.append(value) }
        #expect(received == Array(0..<100))
        try await producer.value
    }

    @Test func aFailureArrivesAfterTheElementsBeforeIt() async throws {
        let feed = BackpressuredFeed<Int>(limit: 8)
        try await feed.send(1)
        try await feed.send(2)
        feed.finish(throwing: Failed())
        var iterator = feed.stream.makeAsyncIterator()
        #expect(try await iterator.next() == 1)
        #expect(try await iterator.next() == 2)
        await #expect(throws: Failed.self) { try await iterator.next() }
    }

    @Test func aWaitingConsumerGetsTheNextElementDirectly() async throws {
        let feed = BackpressuredFeed<String>(limit: 1)
        let consumer = Task { () -> [String] in
            var out: [String] = []
            for try await value in feed.stream { out.append(value) }
            return out
        }
        for word in ["a", "b", "c"] {
            try await Task.sleep(for: .milliseconds(5))
            try await feed.send(word)
        }
        feed.finish()
        #expect(try await consumer.value == ["a", "b", "c"])
    }

    @Test func droppingTheStreamCancelsAWaitingProducer() async throws {
        let feed = BackpressuredFeed<Int>(limit: 2)
        let cancelled = Box(false)
        feed.whenCancelled { cancelled.value.withLock { $0 = true } }
        let producer = Task {
            for value in 0..<10 { try await feed.send(value) }
        }
        do {
            var iterator = feed.stream.makeAsyncIterator()
            #expect(try await iterator.next() == 0)
            await eventually { feed.producerWaits }
        }
        await #expect(throws: CancellationError.self) { try await producer.value }
        #expect(cancelled.current)
    }

    @Test func cancellingTheConsumersTaskEndsItsWaitAndTheFeed() async throws {
        let feed = BackpressuredFeed<Int>(limit: 2)
        let consumer = Task { () -> Int in
            var count = 0
            for try await _ in feed.stream { count += 1 }
            return count
        }
        try await feed.send(7)
        try await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        _ = try? await consumer.value
        await #expect(throws: CancellationError.self) { try await feed.send(8) }
    }
}
