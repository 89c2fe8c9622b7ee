import CoreMetrics
import Synchronization

/// The request log writer's queue depth and drop count, read when metrics are scraped: the writer keeps the
/// numbers, this turns them into a gauge and a counter. The writer is handed in as a closure so this module does
/// not depend on it.
public final class RequestLogQueueMetrics: Sendable {
    public struct Reading: Sendable {
        public var queued: Int
        /// Records dropped since the writer started (a running total).
        public var dropped: Int

        public init(queued: Int, dropped: Int) {
            self.queued = queued
            self.dropped = dropped
        }
    }

    let factory: any MetricsFactory
    let read: @Sendable () -> Reading
    /// A Prometheus counter only goes up by increments: the total already exported.
    private let exportedDrops = Mutex(0)

    public init(factory: any MetricsFactory, read: @escaping @Sendable () -> Reading) {
        self.factory = factory
        self.read = read
    }

    public func update() {
        let reading = read()
        factory.makeRecorder(label: MetricNames.logQueueDepth, dimensions: [], aggregate: false).record(Int64(reading.queued))
        let newDrops = exportedDrops.withLock { exported -> Int in
            let delta = max(0, reading.dropped - exported)
            exported += delta
            return delta
        }
        // Created even at zero, so the series exists before the first drop.
        factory.makeCounter(label: MetricNames.logDropped, dimensions: []).increment(by: Int64(newDrops))
    }
}
