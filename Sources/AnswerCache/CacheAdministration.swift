import Foundation
import Logging
import ServiceLifecycle

/// What the cache has done since start, and what it holds.
struct CacheCounters {
    var exactHits = 0
    var semanticHits = 0
    var misses = 0
    var bypasses = 0
    var stored = 0
    var evicted = 0
    var expired = 0
    var tooLarge = 0
}

public struct CacheStats: Sendable, Codable, Equatable {
    public var entries: Int
    public var bytes: Int
    public var semanticPartitions: Int
    public var semanticVectors: Int
    public var exactHits: Int
    public var semanticHits: Int
    public var misses: Int
    public var bypasses: Int
    public var stored: Int
    public var evicted: Int
    public var expired: Int
    public var tooLarge: Int
    public var maxEntries: Int
    public var maxBytes: Int
}

extension ScopedAnswerCache {
    public var stats: CacheStats {
        let c = counters.withLock { $0 }
        return CacheStats(
            entries: index.count, bytes: index.bytes, semanticPartitions: index.partitionCount, semanticVectors: index.vectorCount,
            exactHits: c.exactHits, semanticHits: c.semanticHits, misses: c.misses, bypasses: c.bypasses, stored: c.stored,
            evicted: c.evicted, expired: c.expired, tooLarge: c.tooLarge, maxEntries: settings.maxEntries, maxBytes: settings.maxBytes)
    }

    /// Returns whether the entry existed (in memory or in the store).
    public func delete(id: String) async throws -> Bool {
        let held = index.remove(id: id)
        // An entry still on its way to the store must not land there after its deletion.
        await writer.flush()
        let stored = try await store.delete(id: id)
        return held || stored
    }

    /// Every entry of `scope` (`vk:<id>`, `group:<name>`, `global`, `anonymous`), or every entry when nil.
    public func purge(scope: String?) async throws -> Int {
        let held = index.removeAll(scope: scope)
        await writer.flush()
        let stored = try await store.deleteAll(scope: scope)
        return max(held, stored)
    }

    /// Drops what has expired, in memory and in the store, and writes the hit counts.
    public func sweep() async throws {
        let now = Date()
        let expired = index.removeExpired(now: now)
        await writer.flush()
        let removed = try await store.deleteExpired(at: now)
        counters.withLock { $0.expired += max(expired.count, removed.count) }
        try await store.recordHits(index.drainHits())
    }
}

/// Sweeps expired entries every `cache.sweep_interval` until graceful shutdown.
public struct CacheSweepService: Service {
    let cache: ScopedAnswerCache
    let logger: Logger

    public init(cache: ScopedAnswerCache, logger: Logger) {
        self.cache = cache
        self.logger = logger
    }

    public func run() async throws {
        let period = Duration.milliseconds(Int64(max(1, cache.settings.sweepIntervalSeconds) * 1000))
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: period)
                do {
                    try await cache.sweep()
                } catch {
                    logger.warning("answer cache sweep failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}

/// On a shared store: takes the entries the other gateways write into this gateway's index once a second, so an
/// answer cached through one instance is a hit on every other.
public struct CacheFollowService: Service {
    let cache: ScopedAnswerCache
    let interval: Duration
    let logger: Logger

    public init(cache: ScopedAnswerCache, interval: Duration = .seconds(1), logger: Logger) {
        self.cache = cache
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: interval)) != nil {
                do {
                    guard try await cache.follow() else { return }
                } catch {
                    logger.warning("could not read the other gateways' cache entries", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
