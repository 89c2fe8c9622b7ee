import CoreMetrics
import Engine
import Pricing
import Synchronization
import SwitchyardModel

/// Records every call the engine sees (every door, passthrough, streams, batch records) once it has ended:
/// requests by outcome and error class, durations, time to first token, the gateway's own overhead, tokens by
/// type, cost, retries, and the calls in flight.
public final class LLMMetricsPlugin: CallPlugin {
    let labels: MetricLabels
    let costs: CostCalculator?
    /// Calls counted as active, by request id: a call that never got to start (an unknown model, a refusal by an
    /// earlier plugin) ends without having been counted, and must not be subtracted.
    private let inFlight = Mutex<[String: Int]>([:])
    private let requests, tokens, uncharged, retries, cacheRequests: SeriesCache<any CounterHandler>
    private let cost: SeriesCache<any FloatingPointCounterHandler>
    private let duration, upstream, firstToken, overhead: SeriesCache<any RecorderHandler>
    private let active: SeriesCache<any MeterHandler>

    /// `costs` nil records no cost (no price table loaded).
    public init(factory: any MetricsFactory, labels: MetricLabels, costs: CostCalculator?) {
        self.labels = labels
        self.costs = costs
        requests = .counter(factory, MetricNames.llmRequests, labels: ["door", "operation", "provider", "model", "outcome", "error_class"])
        tokens = .counter(factory, MetricNames.tokens, labels: ["provider", "model", "type"])
        uncharged = .counter(factory, MetricNames.uncharged, labels: ["reason"])
        retries = .counter(factory, MetricNames.retries, labels: ["provider"])
        cacheRequests = .counter(factory, MetricNames.cacheRequests, labels: ["outcome", "type"])
        cost = .floatingPointCounter(factory, MetricNames.cost, labels: ["provider", "model"])
        duration = .histogram(factory, MetricNames.llmRequestDuration, labels: ["door", "provider", "model"])
        upstream = .histogram(factory, MetricNames.upstreamDuration, labels: ["provider", "model"])
        firstToken = .histogram(factory, MetricNames.timeToFirstToken, labels: ["provider", "model"])
        overhead = .histogram(factory, MetricNames.overhead, labels: ["door"])
        active = .gauge(factory, MetricNames.activeRequests, labels: ["door"])
    }

    public func callWillStart(_ call: PlannedCall) async throws {
        let descriptor = call.context.descriptor
        inFlight.withLock { $0[descriptor.requestId, default: 0] += 1 }
        active(descriptor.door).increment(by: 1.0)
    }

    public func callEnded(_ record: CallRecord) {
        let descriptor = record.descriptor
        let wasActive = inFlight.withLock { counts -> Bool in
            guard let count = counts[descriptor.requestId] else { return false }
            counts[descriptor.requestId] = count > 1 ? count - 1 : nil
            return true
        }
        if wasActive { active(descriptor.door).decrement(by: 1.0) }

        let provider = labels.provider(record.provider)
        let model = labels.model(provider: record.provider, model: record.model)
        requests(
            descriptor.door, descriptor.operation, provider, model, Self.outcome(record.end?.outcome),
            record.errorClass?.rawValue ?? "none"
        ).increment(by: 1)
        recordDurations(record, provider: provider, model: model)
        if let usage = record.usage { recordUsage(usage, record: record, provider: provider, model: model) }
        recordRetries(record)
        if let cache = record.cache { cacheRequests(cache.status.rawValue, cache.kind?.rawValue ?? "none").increment(by: 1) }
    }

    static func outcome(_ outcome: CallEnd.Outcome?) -> String {
        switch outcome {
        case .success?: "ok"
        case .clientGone?: "client_gone"
        case .failure?, nil: "error"
        }
    }

    private func recordDurations(_ record: CallRecord, provider: String, model: String) {
        let door = record.descriptor.door
        let latency = record.latencySeconds
        if let latency {
            duration(door, provider, model).record(latency)
        }
        guard record.attempts > 0 else { return }
        upstream(provider, model).record(record.upstreamSeconds)
        if record.descriptor.stream, let firstToken = record.firstTokenSeconds {
            self.firstToken(provider, model).record(firstToken)
        }
        // A stream's upstream time stops at the answer's head while its latency runs to the last frame, so their
        // difference would be the stream's length, not the gateway's share.
        if !record.descriptor.stream, let latency {
            overhead(door).record(max(0, latency - record.upstreamSeconds))
        }
    }

    private func recordUsage(_ usage: Usage, record: CallRecord, provider: String, model: String) {
        // `input` is the uncached input, so the types add up to the call's total.
        let counts = [
            ("input", usage.inputTokens), ("output", usage.outputTokens), ("cache_read", usage.cacheReadTokens),
            ("cache_write", usage.cacheWriteTokens),
        ]
        for (type, count) in counts where count > 0 {
            tokens(provider, model, type).increment(by: Int64(count))
        }
        guard let costs, let resolvedProvider = record.provider, let resolvedModel = record.model, usage.totalTokens > 0 else { return }
        let mode: PricingMode = record.descriptor.billing == .batch ? .batch : .standard
        switch costs.cost(provider: resolvedProvider, model: resolvedModel, usage: usage, mode: mode) {
        case .priced(let amount, _):
            guard amount.nanos > 0 else { return }
            cost(provider, model).increment(by: Double(amount.nanos) / Double(USDAmount.nanosPerDollar))
        case .unpriced(let reason):
            uncharged(reason.rawValue).increment(by: 1)
        }
    }

    /// An attempt at the same fallback position as the one before it is a retry; a fallback is not.
    private func recordRetries(_ record: CallRecord) {
        var counts: [String: Int64] = [:]
        for (previous, attempt) in zip(record.attemptLog, record.attemptLog.dropFirst())
        where attempt.fallbackPosition == previous.fallbackPosition {
            counts[labels.provider(attempt.provider), default: 0] += 1
        }
        for (provider, count) in counts { retries(provider).increment(by: count) }
    }
}
