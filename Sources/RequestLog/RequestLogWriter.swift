import Foundation
import Logging
import ServiceLifecycle
import Stores
import Synchronization

/// Writes the request log in the background so a request never waits for the disk. `enqueue` is synchronous
/// and takes a lock for a few instructions; a background task writes what is queued, in batches, when a batch is
/// full or the flush interval passes, and once more on graceful shutdown. A full queue drops the record and counts
/// it (`stats.dropped`).
///
/// What a crash (`kill -9`) loses: every record still queued, i.e. the requests of at most the last flush
/// interval (and never more than `capacity`), plus a batch whose transaction had not committed. Committed batches
/// survive; a batch is one transaction, so it is never half written.
public final class RequestLogWriter: Service, Sendable {
    public struct Configuration: Sendable {
        /// Records the queue holds before it drops.
        public var capacity: Int
        /// Records per transaction; a queue this long is flushed at once.
        public var batchSize: Int
        public var flushInterval: Duration
        /// Rows older than this are deleted by the retention sweep; nil keeps them for ever.
        public var retentionDays: Int?
        public var retentionSweepInterval: Duration
        public var content: RequestLogContentPolicy

        public init(
            capacity: Int = 10_000, batchSize: Int = 500, flushInterval: Duration = .seconds(1),
            retentionDays: Int? = nil, retentionSweepInterval: Duration = .seconds(3600),
            content: RequestLogContentPolicy = RequestLogContentPolicy()
        ) {
            self.capacity = capacity
            self.batchSize = max(1, batchSize)
            self.flushInterval = flushInterval
            self.retentionDays = retentionDays
            self.retentionSweepInterval = retentionSweepInterval
            self.content = content
        }
    }

    struct Counters {
        var written = 0
        var failed = 0
        var swept = 0
        var stopping = false
    }

    let store: any RequestLogStore
    let configuration: Configuration
    let logger: Logger
    let now: @Sendable () -> Date
    let buffer: RequestLogBuffer
    let counters = Mutex(Counters())
    let wakeups: AsyncStream<Void>
    let wake: AsyncStream<Void>.Continuation

    public init(
        store: any RequestLogStore, configuration: Configuration = Configuration(), logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.now = now
        buffer = RequestLogBuffer(capacity: configuration.capacity)
        // One pending wake-up is enough: the flush takes everything queued by then.
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues a record for writing, never waiting. False when the queue was full and the record was dropped.
    @discardableResult
    public func enqueue(_ record: RequestLogRecord) -> Bool {
        var record = record
        configuration.content.bound(&record)
        guard let depth = buffer.append(record) else { return false }
        // Exactly one enqueue sees the queue reach a batch; it alone pays for the wake-up.
        if depth == configuration.batchSize { wake.yield() }
        return true
    }

    public var stats: RequestLogWriterStats {
        let c = counters.withLock { $0 }
        return RequestLogWriterStats(
            queued: buffer.depth, dropped: buffer.dropped, written: c.written, failed: c.failed, swept: c.swept)
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.tick() }
                if configuration.retentionDays != nil { group.addTask { await self.sweepRetention() } }
                for await _ in wakeups {
                    await flush()
                    if isStopping { break }
                }
                // Whatever was queued between the last wake-up and the stop.
                await flush()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.counters.withLock { $0.stopping = true }
            self.wake.yield()
        }
    }

    var isStopping: Bool { counters.withLock { $0.stopping } || Task.isCancelled }

    func tick() async {
        while !isStopping {
            do {
                try await Task.sleep(for: configuration.flushInterval)
            } catch {
                return
            }
            wake.yield()
        }
    }

    /// Writes everything queued, `batchSize` records per transaction. A batch the store refuses is lost and
    /// counted (`failed`): holding it would block every later record behind it.
    func flush() async {
        let records = buffer.takeAll()
        guard !records.isEmpty else { return }
        var start = 0
        while start < records.count {
            let end = min(start + configuration.batchSize, records.count)
            var batch = Array(records[start..<end])
            for index in batch.indices { configuration.content.finish(&batch[index]) }
            do {
                try await store.append(batch)
                counters.withLock { $0.written += batch.count }
            } catch {
                counters.withLock { $0.failed += batch.count }
                logger.warning("request log batch not written", metadata: ["records": "\(batch.count)", "error": "\(error)"])
            }
            start = end
        }
    }

    func sweepRetention() async {
        guard let days = configuration.retentionDays else { return }
        while !isStopping {
            await sweep(olderThanDays: days)
            do {
                try await Task.sleep(for: configuration.retentionSweepInterval)
            } catch {
                return
            }
        }
    }

    /// Deletes rows started more than `days` days before now; also run by the retention loop.
    func sweep(olderThanDays days: Int) async {
        let cutoff = now().addingTimeInterval(-Double(days) * 86_400)
        do {
            let removed = try await store.deleteStarted(before: cutoff)
            counters.withLock { $0.swept += removed }
            if removed > 0 { logger.info("request log retention", metadata: ["removed": "\(removed)", "days": "\(days)"]) }
        } catch {
            logger.warning("request log retention failed", metadata: ["error": "\(error)"])
        }
    }
}

/// Counters for `/metrics` (`switchyard_log_dropped_total`, `switchyard_log_queue_depth`, …).
public struct RequestLogWriterStats: Sendable, Hashable {
    /// Records waiting to be written now.
    public var queued: Int
    /// Records refused because the queue was full.
    public var dropped: Int
    public var written: Int
    /// Records lost because the store refused their batch.
    public var failed: Int
    /// Rows the retention sweep deleted.
    public var swept: Int
}
