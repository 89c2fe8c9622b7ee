import Foundation
import Synchronization
import SwitchyardModel

/// The cache's in-memory view of its live entries: exact keys in least-recently-used order, and the vectors of
/// the semantic partitions. Lookups are answered here; the store behind it only persists.
final class CacheIndex: Sendable {
    struct Entry: Sendable {
        var id: String
        var key: String
        var scope: String
        var provider: String
        var model: String
        var partition: String?
        var answer: ChatResponse
        var createdAt: Date
        var expiresAt: Date
        var bytes: Int
        var hits = 0
    }

    struct Limits: Sendable {
        var maxEntries: Int
        var maxBytes: Int
    }

    private let state: Mutex<State>

    init(limits: Limits) {
        state = Mutex(State(limits: limits))
    }

    struct State {
        let limits: Limits
        /// Entries by slot; a freed slot is reused.
        var slots: [Entry?] = []
        var free: [Int] = []
        var slotOfKey: [String: Int] = [:]
        var slotOfId: [String: Int] = [:]
        /// The recency list through the slots: `head` the most recently used.
        var newer: [Int] = []
        var older: [Int] = []
        var head = -1
        var tail = -1
        var partitions: [String: VectorPartition] = [:]
        var bytes = 0
    }

    var count: Int { state.withLock { $0.slotOfKey.count } }
    var bytes: Int { state.withLock { $0.bytes } }
    var vectorCount: Int { state.withLock { $0.partitions.values.reduce(0) { $0 + $1.count } } }
    var partitionCount: Int { state.withLock { $0.partitions.count } }

    /// The live entry under `key`, now the most recently used; an expired one is dropped and its id returned.
    func exact(_ key: String, now: Date, counting: Bool = true) -> (entry: Entry?, expired: String?) {
        state.withLock { s in
            guard let slot = s.slotOfKey[key], let entry = s.slots[slot] else { return (nil, nil) }
            guard entry.expiresAt > now else {
                s.remove(slot: slot)
                return (nil, entry.id)
            }
            guard counting else { return (entry, nil) }
            s.slots[slot]?.hits += 1
            s.touch(slot)
            return (entry, nil)
        }
    }

    /// The most similar live entry of `partition` at or above `threshold`.
    func nearest(partition: String, vector: [Float], threshold: Double, now: Date) -> (entry: Entry, similarity: Double)? {
        state.withLock { s in
            guard let vectors = s.partitions[partition] else { return nil }
            // A few candidates, in case the best ones have expired since the last sweep.
            for candidate in vectors.nearest(vector, floor: Float(threshold), limit: 8) {
                guard let entry = s.slots[candidate.slot], entry.expiresAt > now else { continue }
                s.slots[candidate.slot]?.hits += 1
                s.touch(candidate.slot)
                return (entry, Double(candidate.score))
            }
            return nil
        }
    }

    /// Adds (or replaces, by key) an entry; returns the ids it replaced or evicted to stay within the limits.
    @discardableResult
    func insert(_ entry: Entry, vector: [Float]?) -> [String] {
        state.withLock { s in
            var gone: [String] = []
            if let old = s.slotOfKey[entry.key], let replaced = s.slots[old] {
                s.remove(slot: old)
                gone.append(replaced.id)
            }
            let slot = s.allocate(entry)
            if let partition = entry.partition, let vector {
                var vectors = s.partitions[partition] ?? VectorPartition(dimensions: vector.count)
                if vectors.dimensions == vector.count {
                    vectors.add(vector, slot: slot)
                    s.partitions[partition] = vectors
                }
            }
            while s.slotOfKey.count > s.limits.maxEntries || s.bytes > s.limits.maxBytes, s.tail >= 0, s.tail != slot {
                let victim = s.tail
                if let evicted = s.slots[victim] { gone.append(evicted.id) }
                s.remove(slot: victim)
            }
            return gone
        }
    }

    func remove(id: String) -> Bool {
        state.withLock { s in
            guard let slot = s.slotOfId[id] else { return false }
            s.remove(slot: slot)
            return true
        }
    }

    /// Every entry of `scope` (every entry when nil); returns how many.
    func removeAll(scope: String?) -> Int {
        state.withLock { s in
            let doomed = s.slots.indices.filter { slot in s.slots[slot].map { scope == nil || $0.scope == scope } ?? false }
            for slot in doomed { s.remove(slot: slot) }
            return doomed.count
        }
    }

    func removeExpired(now: Date) -> [String] {
        state.withLock { s in
            var ids: [String] = []
            for slot in s.slots.indices {
                if let entry = s.slots[slot], entry.expiresAt <= now {
                    ids.append(entry.id)
                    s.remove(slot: slot)
                }
            }
            return ids
        }
    }

    /// Hits counted since the last call, by entry id, for the store.
    func drainHits() -> [String: Int] {
        state.withLock { s in
            var counts: [String: Int] = [:]
            for slot in s.slots.indices {
                if let hits = s.slots[slot]?.hits, hits > 0 {
                    counts[s.slots[slot]!.id] = hits
                    s.slots[slot]?.hits = 0
                }
            }
            return counts
        }
    }
}

extension CacheIndex.State {
    mutating func allocate(_ entry: CacheIndex.Entry) -> Int {
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            slots[slot] = entry
        } else {
            slot = slots.count
            slots.append(entry)
            newer.append(-1)
            older.append(-1)
        }
        slotOfKey[entry.key] = slot
        slotOfId[entry.id] = slot
        bytes += entry.bytes
        link(slot)
        return slot
    }

    mutating func remove(slot: Int) {
        guard let entry = slots[slot] else { return }
        unlink(slot)
        if let partition = entry.partition {
            partitions[partition]?.remove(slot: slot)
            if partitions[partition]?.count == 0 { partitions[partition] = nil }
        }
        slotOfKey[entry.key] = nil
        slotOfId[entry.id] = nil
        bytes -= entry.bytes
        slots[slot] = nil
        free.append(slot)
    }

    mutating func touch(_ slot: Int) {
        guard head != slot else { return }
        unlink(slot)
        link(slot)
    }

    /// Makes `slot` the most recently used.
    private mutating func link(_ slot: Int) {
        newer[slot] = -1
        older[slot] = head
        if head >= 0 { newer[head] = slot }
        head = slot
        if tail < 0 { tail = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let before = newer[slot], after = older[slot]
        if before >= 0 { older[before] = after } else { head = after }
        if after >= 0 { newer[after] = before } else { tail = before }
        newer[slot] = -1
        older[slot] = -1
    }
}
