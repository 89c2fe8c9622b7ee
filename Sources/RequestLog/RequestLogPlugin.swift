import Engine
import Foundation
import Pricing
import Stores
import Synchronization
import SwitchyardModel

/// The request log's link in the engine's plugin chain: turns each ended call into one row, priced, and queues it
/// for the background writer (and the live feed) without waiting for either.
public final class RequestLogPlugin: CallPlugin {
    let writer: RequestLogWriter
    let feed: RequestLogFeed?
    let costs: CostCalculator
    /// Bytes of request and answer text held per call when content logging is on; nil when it is off.
    let contentCaptureBytes: Int?
    let counters = Mutex(Counters())

    struct Counters {
        var unpriced = 0
    }

    public init(writer: RequestLogWriter, feed: RequestLogFeed? = nil, prices: PriceTable) {
        self.writer = writer
        self.feed = feed
        self.costs = CostCalculator(table: prices)
        let content = writer.configuration.content
        // The writer redacts before it truncates, so it needs the slack past the limit to see a whole secret.
        self.contentCaptureBytes = content.enabled ? content.maxBytes + RequestLogContentPolicy.redactionSlack : nil
    }

    /// Rows logged with no cost because their model has no price (for `/metrics`).
    public var unpricedCount: Int { counters.withLock(\.unpriced) }

    public func callWillStart(_ call: PlannedCall) async throws {
        guard let limit = contentCaptureBytes else { return }
        let text = call.request.map { RequestContentText.render($0, limit: limit) }
        call.context.update {
            $0.contentCaptureBytes = limit
            if let text { $0.requestContent = text }
        }
    }

    public func callEnded(_ record: CallRecord) {
        let row = self.row(record)
        if row.cost == nil { counters.withLock { $0.unpriced += 1 } }
        writer.enqueue(row)
        if let feed {
            // Content stays out of the feed: it is redacted on the writer's task, not on the caller's path.
            var shown = row
            shown.contentIn = nil
            shown.contentOut = nil
            feed.publish(shown)
        }
    }

    /// The code a row carries for a client that went away: nobody failed, so it has no error class, and it is not
    /// a success either.
    public static let clientGoneCode = "ClientClosedRequest"

    func row(_ record: CallRecord) -> RequestLogRecord {
        let descriptor = record.descriptor
        let end = record.end ?? CallEnd(outcome: .clientGone, status: 499)
        let endedAt = record.endedAt ?? Date()
        let tried = !record.attemptLog.isEmpty
        let (cost, version) = price(record)
        return RequestLogRecord(
            id: descriptor.requestId, startedAt: record.startedAt, endedAt: endedAt, door: descriptor.door,
            operation: descriptor.operation, route: descriptor.route, httpStatus: end.status,
            errorCode: end.outcome == .clientGone ? Self.clientGoneCode : end.errorCode,
            errorClass: Self.errorClass(record), provider: record.provider, providerKeyName: record.keyName,
            modelRequested: descriptor.modelRequested, modelResolved: record.model, stream: descriptor.stream,
            stopReason: record.stopReason, tokens: record.usage.map(RequestLogTokens.init) ?? RequestLogTokens(),
            tokensEstimated: record.usageIsEstimate, cost: cost, priceVersion: version,
            latencyMs: Self.milliseconds(endedAt.timeIntervalSince(record.startedAt)),
            upstreamLatencyMs: tried ? Self.milliseconds(record.upstreamSeconds) : nil,
            timeToFirstTokenMs: record.firstTokenSeconds.map(Self.milliseconds), retries: max(0, record.attempts - 1),
            fallbackIndex: tried ? record.fallbackPosition : nil, batchJobId: descriptor.batchJobId,
            callerIdentity: descriptor.caller?.keyId, userAgent: descriptor.userAgent, traceId: record.trace.traceId,
            contentIn: record.requestContent, contentOut: record.responseContent, cacheOutcome: record.cache?.status.rawValue,
            cacheType: record.cache?.kind?.rawValue)
    }

    /// A call that never reached a provider spent nothing (0); one that did is priced on what it used, and is
    /// unpriced (nil, never 0) when its model has no price.
    func price(_ record: CallRecord) -> (USDAmount?, String?) {
        guard let provider = record.provider, let model = record.model else { return (.zero, nil) }
        let mode: PricingMode = record.descriptor.billing == .batch ? .batch : .standard
        let result = costs.cost(provider: provider, model: model, usage: record.usage ?? Usage(), mode: mode)
        return (result.amount, result.priceVersion)
    }

    /// The engine's one classification, which the metrics use too.
    static func errorClass(_ record: CallRecord) -> RequestLogErrorClass? {
        record.errorClass.flatMap { RequestLogErrorClass(rawValue: $0.rawValue) }
    }

    static func milliseconds(_ seconds: Double) -> Int {
        Int((max(0, seconds) * 1000).rounded())
    }
}
