import Foundation
import SwitchyardModel

/// The request log aggregated by time bucket, as the dashboard charts it: computed by the store over every matching
/// row, never from a page of them.
public struct RequestLogSeries: Sendable, Hashable {
    public struct Bucket: Sendable, Hashable {
        /// Seconds since 1970, a multiple of the bucket width.
        public var start: Int64
        /// Calls by error class; calls without one are under "ok".
        public var calls: [String: Int]
        public var tokens: Int
        public var cost: USDAmount
        /// Nearest-rank percentiles of the bucket's latencies.
        public var latencyP50Ms: Int?
        public var latencyP95Ms: Int?
    }

    public struct Top: Sendable, Hashable {
        public var name: String
        public var calls: Int
        public var cost: USDAmount
    }

    public var bucketSeconds: Int
    public var buckets: [Bucket]
    /// The models and keys with the most calls, at most `RequestLogSeriesSQL.topCount` each.
    public var topModels: [Top]
    public var topKeys: [Top]

    public init(bucketSeconds: Int, buckets: [Bucket], topModels: [Top], topKeys: [Top]) {
        self.bucketSeconds = bucketSeconds
        self.buckets = buckets
        self.topModels = topModels
        self.topKeys = topKeys
    }
}

/// The series' statements, one text for SQLite and PostgreSQL: both have window functions and integer division
/// (and sums are cast back to BIGINT, which PostgreSQL would widen to NUMERIC).
/// `clause` is the store's own WHERE clause (its placeholders, its binds); the bucket width is an integer literal.
enum RequestLogSeriesSQL {
    static let topCount = 8

    static func calls(_ clause: String, bucketMicros: Int64) -> String {
        """
        SELECT startMicros / \(bucketMicros) AS bucket, COALESCE(errorClass, 'ok') AS class, COUNT(*) AS calls,
            CAST(COALESCE(SUM(inputTokens + outputTokens), 0) AS BIGINT) AS tokens, CAST(COALESCE(SUM(costNanoUSD), 0) AS BIGINT) AS cost
        FROM request_log\(clause) GROUP BY 1, 2 ORDER BY 1, 2
        """
    }

    /// Nearest rank: the latency at 1-based rank ⌈p·n/100⌉ of the bucket's latencies in ascending order.
    static func percentiles(_ clause: String, bucketMicros: Int64) -> String {
        """
        SELECT bucket, MIN(CASE WHEN rn = (50 * n + 99) / 100 THEN latencyMs END) AS p50,
            MIN(CASE WHEN rn = (95 * n + 99) / 100 THEN latencyMs END) AS p95
        FROM (SELECT startMicros / \(bucketMicros) AS bucket, latencyMs,
                ROW_NUMBER() OVER (PARTITION BY startMicros / \(bucketMicros) ORDER BY latencyMs) AS rn,
                COUNT(*) OVER (PARTITION BY startMicros / \(bucketMicros)) AS n
            FROM request_log\(clause)) ranked
        GROUP BY bucket ORDER BY bucket
        """
    }

    static func topModels(_ clause: String) -> String {
        """
        SELECT COALESCE(modelResolved, modelRequested, '(none)') AS name, COUNT(*) AS calls, CAST(COALESCE(SUM(costNanoUSD), 0) AS BIGINT) AS cost
        FROM request_log\(clause) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT \(topCount)
        """
    }

    static func topKeys(_ clause: String) -> String {
        """
        SELECT COALESCE(callerIdentity, '(no key)') AS name, COUNT(*) AS calls, CAST(COALESCE(SUM(costNanoUSD), 0) AS BIGINT) AS cost
        FROM request_log\(clause) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT \(topCount)
        """
    }

    /// Folds the per-(bucket, class) rows and the per-bucket percentiles into buckets.
    static func buckets(
        calls: [(bucket: Int64, errorClass: String, calls: Int, tokens: Int, cost: Int64)], percentiles: [Int64: (Int?, Int?)],
        bucketSeconds: Int
    ) -> [RequestLogSeries.Bucket] {
        var byBucket: [Int64: RequestLogSeries.Bucket] = [:]
        for row in calls {
            var bucket = byBucket[row.bucket] ?? RequestLogSeries.Bucket(
                start: row.bucket * Int64(bucketSeconds), calls: [:], tokens: 0, cost: USDAmount(nanos: 0),
                latencyP50Ms: percentiles[row.bucket]?.0, latencyP95Ms: percentiles[row.bucket]?.1)
            bucket.calls[row.errorClass, default: 0] += row.calls
            bucket.tokens += row.tokens
            bucket.cost = USDAmount(nanos: bucket.cost.nanos + row.cost)
            byBucket[row.bucket] = bucket
        }
        return byBucket.keys.sorted().compactMap { byBucket[$0] }
    }
}
