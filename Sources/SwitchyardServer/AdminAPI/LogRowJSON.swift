import Foundation
import Stores
import SwitchyardModel

/// A request-log row as the API shows it: snake_case names, times in RFC 3339 (and microseconds, exact), cost as
/// decimal text so no JSON reader rounds it.
struct LogRowJSON: Encodable, EncodesNulls {
    let id: String
    let startedAt: String
    let startedAtUs: Int64
    let endedAt: String
    let door: String
    let operation: String
    let route: String
    let httpStatus: Int
    let errorCode: String?
    let errorClass: String?
    let provider: String?
    let providerKeyName: String?
    let modelRequested: String?
    let modelResolved: String?
    let stream: Bool
    let stopReason: String?
    let inputTokens: Int
    let outputTokens: Int
    let cacheReadTokens: Int
    let cacheWriteTokens: Int
    let tokensEstimated: Bool
    let costUsd: USDAmount?
    let priceVersion: String?
    let latencyMs: Int
    let upstreamLatencyMs: Int?
    let timeToFirstTokenMs: Int?
    let retries: Int
    let fallbackIndex: Int?
    let batchJobId: String?
    let callerIdentity: String?
    let userAgent: String?
    let traceId: String?
    let contentIn: String?
    let contentOut: String?
    let cacheOutcome: String?
    let cacheType: String?

    init(_ r: RequestLogRecord) {
        id = r.id
        startedAt = Self.time(r.startedAt)
        startedAtUs = RequestLogTime.micros(r.startedAt)
        endedAt = Self.time(r.endedAt)
        door = r.door
        operation = r.operation
        route = r.route
        httpStatus = r.httpStatus
        errorCode = r.errorCode
        errorClass = r.errorClass?.rawValue
        provider = r.provider
        providerKeyName = r.providerKeyName
        modelRequested = r.modelRequested
        modelResolved = r.modelResolved
        stream = r.stream
        stopReason = r.stopReason
        inputTokens = r.tokens.input
        outputTokens = r.tokens.output
        cacheReadTokens = r.tokens.cacheRead
        cacheWriteTokens = r.tokens.cacheWrite
        tokensEstimated = r.tokensEstimated
        costUsd = r.cost
        priceVersion = r.priceVersion
        latencyMs = r.latencyMs
        upstreamLatencyMs = r.upstreamLatencyMs
        timeToFirstTokenMs = r.timeToFirstTokenMs
        retries = r.retries
        fallbackIndex = r.fallbackIndex
        batchJobId = r.batchJobId
        callerIdentity = r.callerIdentity
        userAgent = r.userAgent
        traceId = r.traceId
        contentIn = r.contentIn
        contentOut = r.contentOut
        cacheOutcome = r.cacheOutcome
        cacheType = r.cacheType
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

struct LogTotalsJSON: Encodable, EncodesNulls {
    let count: Int
    let succeeded: Int
    let successRate: Double?
    let inputTokens: Int
    let outputTokens: Int
    let cacheReadTokens: Int
    let cacheWriteTokens: Int
    let costUsd: USDAmount
    let unpriced: Int
    let latencyP50Ms: Int?
    let latencyP95Ms: Int?

    init(_ t: RequestLogTotals) {
        count = t.count
        succeeded = t.succeeded
        successRate = t.successRate
        inputTokens = t.tokens.input
        outputTokens = t.tokens.output
        cacheReadTokens = t.tokens.cacheRead
        cacheWriteTokens = t.tokens.cacheWrite
        costUsd = t.cost
        unpriced = t.unpriced
        latencyP50Ms = t.latencyP50Ms
        latencyP95Ms = t.latencyP95Ms
    }
}

struct LogPageJSON: Encodable, EncodesNulls {
    let logs: [LogRowJSON]
    /// Pass as `before=` for the next (older) page; absent on the last page.
    let next: String?
    let totals: LogTotalsJSON
}

/// Writes every stored property, an absent one as `null`: a reader sees the same keys on every row, and "unpriced"
/// (`cost_usd: null`) is said, not left out.
protocol EncodesNulls: Encodable {}

extension EncodesNulls {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: PropertyKey.self)
        for child in Mirror(reflecting: self).children {
            guard let label = child.label else { continue }
            let key = PropertyKey(stringValue: label)
            let inner = Mirror(reflecting: child.value)
            if inner.displayStyle == .optional, inner.children.isEmpty {
                try container.encodeNil(forKey: key)
            } else if let value = child.value as? any Encodable {
                try container.encode(value, forKey: key)
            }
        }
    }
}

struct PropertyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

enum AdminJSON {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

struct LogSeriesJSON: Encodable, EncodesNulls {
    struct Bucket: Encodable, EncodesNulls {
        let start: String
        let calls: [String: Int]
        let tokens: Int
        let costUsd: USDAmount
        let latencyP50Ms: Int?
        let latencyP95Ms: Int?
    }

    struct Top: Encodable {
        let name: String
        let calls: Int
        let costUsd: USDAmount
    }

    let bucketSeconds: Int
    let buckets: [Bucket]
    let topModels: [Top]
    let topKeys: [Top]

    init(_ s: RequestLogSeries) {
        bucketSeconds = s.bucketSeconds
        buckets = s.buckets.map { b in
            Bucket(
                start: LogRowJSON.time(Date(timeIntervalSince1970: Double(b.start))), calls: b.calls, tokens: b.tokens, costUsd: b.cost,
                latencyP50Ms: b.latencyP50Ms, latencyP95Ms: b.latencyP95Ms)
        }
        topModels = s.topModels.map { Top(name: $0.name, calls: $0.calls, costUsd: $0.cost) }
        topKeys = s.topKeys.map { Top(name: $0.name, calls: $0.calls, costUsd: $0.cost) }
    }
}
