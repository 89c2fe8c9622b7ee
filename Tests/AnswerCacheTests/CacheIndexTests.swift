import Foundation
import SwitchyardModel
import Testing

@testable import AnswerCache

@Suite struct CacheIndexTests {
    static let answer = ChatResponse(content: [.text("Paris")], stopReason: .endTurn, usage: Usage(inputTokens: 5, outputTokens: 1), latencyMs: 3)

    static func entry(_ key: String, partition: String? = nil, ttl: Double = 60, bytes: Int = 10, now: Date = Date()) -> CacheIndex.Entry {
        CacheIndex.Entry(
            id: "id-" + key, key: key, scope: "vk:a", provider: "p", model: "m", partition: partition, answer: answer, createdAt: now,
            expiresAt: now.addingTimeInterval(ttl), bytes: bytes)
    }

    @Test func theLeastRecentlyUsedEntryIsEvictedFirst() {
        let index = CacheIndex(limits: .init(maxEntries: 2, maxBytes: 1000))
        let now = Date()
        index.insert(Self.entry("a"), vector: nil)
        index.insert(Self.entry("b"), vector: nil)
        #expect(index.exact("a", now: now).entry != nil)  // a is now the most recent
        let evicted = index.insert(Self.entry("c"), vector: nil)
        #expect(evicted == ["id-b"])
        #expect(index.exact("b", now: now).entry == nil)
        #expect(index.exact("a", now: now).entry != nil)
        #expect(index.exact("c", now: now).entry != nil)
        #expect(index.count == 2)
    }

    @Test func theByteLimitEvictsToo() {
        let index = CacheIndex(limits: .init(maxEntries: 100, maxBytes: 25))
        index.insert(Self.entry("a", bytes: 10), vector: nil)
        index.insert(Self.entry("b", bytes: 10), vector: nil)
        let evicted = index.insert(Self.entry("c", bytes: 10), vector: nil)
        #expect(evicted == ["id-a"])
        #expect(index.bytes == 20)
    }

    @Test func anExpiredEntryIsNotServedAndIsDropped() {
        let index = CacheIndex(limits: .init(maxEntries: 10, maxBytes: 1000))
        let now = Date()
        index.insert(Self.entry("a", ttl: 5, now: now), vector: nil)
        #expect(index.exact("a", now: now.addingTimeInterval(4)).entry != nil)
        let late = index.exact("a", now: now.addingTimeInterval(6))
        #expect(late.entry == nil)
        #expect(late.expired == "id-a")
        #expect(index.count == 0)
    }

    @Test func theSweepRemovesWhatHasExpired() {
        let index = CacheIndex(limits: .init(maxEntries: 10, maxBytes: 1000))
        let now = Date()
        index.insert(Self.entry("short", ttl: 1, now: now), vector: nil)
        index.insert(Self.entry("long", ttl: 100, now: now), vector: nil)
        #expect(index.removeExpired(now: now.addingTimeInterval(2)) == ["id-short"])
        #expect(index.count == 1)
    }

    @Test func vectorsAreComparedOnlyWithinTheirPartition() throws {
        let index = CacheIndex(limits: .init(maxEntries: 10, maxBytes: 1000))
        let now = Date()
        let v = VectorPartition.unit([1, 0, 0])!
        index.insert(Self.entry("a", partition: "p1", now: now), vector: v)
        #expect(index.nearest(partition: "p1", vector: v, threshold: 0.95, now: now)?.entry.key == "a")
        #expect(index.nearest(partition: "p2", vector: v, threshold: 0.95, now: now) == nil)
    }

    @Test func similarityBelowTheThresholdIsAMiss() throws {
        let index = CacheIndex(limits: .init(maxEntries: 10, maxBytes: 1000))
        let now = Date()
        index.insert(Self.entry("a", partition: "p", now: now), vector: VectorPartition.unit([1, 0])!)
        // cos(angle) = 0.9: a hit at 0.8 (the peers' default), not at 0.95.
        let query = VectorPartition.unit([0.9, (1 - 0.81).squareRoot()])!
        #expect(index.nearest(partition: "p", vector: query, threshold: 0.95, now: now) == nil)
        let loose = index.nearest(partition: "p", vector: query, threshold: 0.8, now: now)
        #expect(abs((loose?.similarity ?? 0) - 0.9) < 1e-5)
    }

    @Test func removingAnEntryRemovesItsVectorAndKeepsTheOthers() throws {
        let index = CacheIndex(limits: .init(maxEntries: 10, maxBytes: 1000))
        let now = Date()
        let x = VectorPartition.unit([1, 0])!, y = VectorPartition.unit([0, 1])!
        index.insert(Self.entry("x", partition: "p", now: now), vector: x)
        index.insert(Self.entry("y", partition: "p", now: now), vector: y)
        #expect(index.remove(id: "id-x"))
        #expect(index.nearest(partition: "p", vector: x, threshold: 0.5, now: now) == nil)
        #expect(index.nearest(partition: "p", vector: y, threshold: 0.5, now: now)?.entry.key == "y")
        #expect(index.vectorCount == 1)
    }

    @Test func purgingAScopeLeavesTheOthers() {
        let index = CacheIndex(limits: .init(maxEntries: 10, maxBytes: 1000))
        var other = Self.entry("b")
        other.scope = "vk:b"
        index.insert(Self.entry("a"), vector: nil)
        index.insert(other, vector: nil)
        #expect(index.removeAll(scope: "vk:a") == 1)
        #expect(index.exact("b", now: Date()).entry != nil)
    }
}

extension CacheIndex.Entry: Equatable {
    public static func == (a: Self, b: Self) -> Bool { a.id == b.id }
}
