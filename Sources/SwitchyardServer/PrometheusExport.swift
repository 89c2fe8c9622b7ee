import CoreMetrics
import Engine
import GatewayMetrics
import Hummingbird
import NIOCore
import Pricing
import Prometheus
import Synchronization

/// The server's metrics: one Prometheus registry it owns (not the process-wide default, so every gateway and every
/// test has its own), the factory that records into it, and `GET /metrics`.
public final class PrometheusExport: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    public let http: HTTPMetrics
    public let authentication: AuthenticationMetrics
    private let scrapeHooks = Mutex<[@Sendable () -> Void]>([])

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets = MetricNames.histogramBuckets
        self.factory = factory
        http = HTTPMetrics(factory: factory)
        authentication = AuthenticationMetrics(factory: factory)
    }

    /// The LLM metrics plugin for an engine serving `config`; cost from the shipped price table.
    public func plugin(config: GatewayConfig, prices: PriceTable?) -> LLMMetricsPlugin {
        LLMMetricsPlugin(
            factory: factory, labels: MetricLabels(providers: config.providers, aliases: config.aliases),
            costs: prices.map(CostCalculator.init(table:)))
    }

    /// Numbers kept elsewhere (the request log writer's queue) are read on each scrape.
    public func onScrape(_ hook: @escaping @Sendable () -> Void) {
        scrapeHooks.withLock { $0.append(hook) }
    }

    /// The request log writer's `stats` as `switchyard_log_queue_depth` and `switchyard_log_dropped_total`.
    public func exportRequestLogQueue(_ read: @escaping @Sendable () -> RequestLogQueueMetrics.Reading) {
        let queue = RequestLogQueueMetrics(factory: factory, read: read)
        onScrape { queue.update() }
    }

    public func render() -> ByteBuffer {
        for hook in scrapeHooks.withLock({ $0 }) { hook() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 * 1024)
        registry.emit(into: &bytes)
        return ByteBuffer(bytes: bytes)
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: self.render()))
        }
    }

    private static let bootstrapped = Mutex(false)

    /// Libraries that report through swift-metrics land in this registry too; the process has one such backend,
    /// so only the first gateway of a process installs its own.
    func bootstrapProcessMetrics() {
        let first = Self.bootstrapped.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first { MetricsSystem.bootstrap(factory) }
    }
}
