import Foundation
import GRDB
import SwitchyardModel

public struct SQLiteRequestLogStore: RequestLogStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    public func append(_ records: [RequestLogRecord]) async throws {
        guard !records.isEmpty else { return }
        try await pool.write { db in
            let statement = try db.cachedStatement(sql: RequestLogTable.insertSQL)
            for record in records {
                try statement.execute(arguments: RequestLogTable.arguments(record))
            }
        }
    }

    public func query(_ filter: RequestLogFilter, after cursor: RequestLogCursor?, limit: Int) async throws -> RequestLogPage {
        let limit = max(0, limit)
        return try await pool.read { db in
            var (sql, arguments) = RequestLogTable.whereClause(filter)
            if let cursor {
                sql += sql.isEmpty ? " WHERE " : " AND "
                sql += "(startMicros < ? OR (startMicros = ? AND id < ?))"
                _ = arguments.append(contentsOf: [cursor.startedAtMicros, cursor.startedAtMicros, cursor.id])
            }
            // One row more than asked says whether another page exists without a second query.
            _ = arguments.append(contentsOf: [limit + 1])
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM request_log\(sql) ORDER BY startMicros DESC, id DESC LIMIT ?", arguments: arguments)
            let records = rows.prefix(limit).map(RequestLogTable.record)
            let next = rows.count > limit ? records.last.map(RequestLogCursor.init(after:)) : nil
            return RequestLogPage(records: Array(records), next: next)
        }
    }

    public func totals(_ filter: RequestLogFilter) async throws -> RequestLogTotals {
        try await pool.read { db in
            let (clause, arguments) = RequestLogTable.whereClause(filter)
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS count,
                        COALESCE(SUM(CASE WHEN \(RequestLogTable.succeededSQL) THEN 1 ELSE 0 END), 0) AS succeeded,
                        COALESCE(SUM(inputTokens), 0) AS input, COALESCE(SUM(outputTokens), 0) AS output,
                        COALESCE(SUM(cacheReadTokens), 0) AS cacheRead, COALESCE(SUM(cacheWriteTokens), 0) AS cacheWrite,
                        COALESCE(SUM(costNanoUSD), 0) AS cost, COUNT(*) - COUNT(costNanoUSD) AS unpriced
                    FROM request_log\(clause)
                    """,
                arguments: arguments)!
            let count: Int = row["count"]
            return RequestLogTotals(
                count: count, succeeded: row["succeeded"],
                tokens: RequestLogTokens(
                    input: row["input"], output: row["output"], cacheRead: row["cacheRead"], cacheWrite: row["cacheWrite"]),
                cost: USDAmount(nanos: row["cost"]), unpriced: row["unpriced"],
                latencyP50Ms: try Self.latencyPercentile(50, of: count, db, clause, arguments),
                latencyP95Ms: try Self.latencyPercentile(95, of: count, db, clause, arguments))
        }
    }

    public func series(_ filter: RequestLogFilter, bucketSeconds: Int) async throws -> RequestLogSeries {
        let width = max(1, bucketSeconds)
        let micros = Int64(width) * 1_000_000
        return try await pool.read { db in
            let (clause, arguments) = RequestLogTable.whereClause(filter)
            let calls = try Row.fetchAll(db, sql: RequestLogSeriesSQL.calls(clause, bucketMicros: micros), arguments: arguments).map { row in
                (bucket: row["bucket"] as Int64, errorClass: row["class"] as String, calls: row["calls"] as Int, tokens: row["tokens"] as Int,
                    cost: row["cost"] as Int64)
            }
            var percentiles: [Int64: (Int?, Int?)] = [:]
            for row in try Row.fetchAll(db, sql: RequestLogSeriesSQL.percentiles(clause, bucketMicros: micros), arguments: arguments) {
                percentiles[row["bucket"]] = (row["p50"], row["p95"])
            }
            func tops(_ sql: String) throws -> [RequestLogSeries.Top] {
                try Row.fetchAll(db, sql: sql, arguments: arguments).map {
                    RequestLogSeries.Top(name: $0["name"], calls: $0["calls"], cost: USDAmount(nanos: $0["cost"]))
                }
            }
            return RequestLogSeries(
                bucketSeconds: width, buckets: RequestLogSeriesSQL.buckets(calls: calls, percentiles: percentiles, bucketSeconds: width),
                topModels: try tops(RequestLogSeriesSQL.topModels(clause)), topKeys: try tops(RequestLogSeriesSQL.topKeys(clause)))
        }
    }

    /// Nearest rank: the smallest latency with at least p% of the rows at or below it, i.e. the value at 1-based
    /// rank ⌈p·n/100⌉ in ascending order. SQLite has no percentile function; this sorts the matching latencies.
    static func latencyPercentile(
        _ percent: Int, of count: Int, _ db: Database, _ clause: String, _ arguments: StatementArguments
    ) throws -> Int? {
        guard count > 0 else { return nil }
        let rank = (percent * count + 99) / 100
        var arguments = arguments
        _ = arguments.append(contentsOf: [rank - 1])
        return try Int.fetchOne(
            db, sql: "SELECT latencyMs FROM request_log\(clause) ORDER BY latencyMs LIMIT 1 OFFSET ?", arguments: arguments)
    }

    @discardableResult
    public func deleteStarted(before date: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM request_log WHERE startMicros < ?", arguments: [RequestLogTime.micros(date)])
            return db.changesCount
        }
    }
}
