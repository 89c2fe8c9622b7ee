import Foundation
import PostgresNIO
import SwitchyardModel

/// The request log in PostgreSQL: every instance appends to one table, so one query shows all of their traffic.
public struct PostgresRequestLogStore: RequestLogStore {
    let database: PostgresDatabase
    /// Names this instance in the notifications it sends, so it does not feed its own rows back to itself.
    let instanceId: String

    public init(database: PostgresDatabase, instanceId: String) {
        self.database = database
        self.instanceId = instanceId
    }

    static let channel = "switchyard_request_log"
    /// NOTIFY payloads stop at 8,000 bytes: ids go out in groups that stay well below.
    static let idsPerNotification = 100

    static let columns = RequestLogTable.columns.joined(separator: ", ")
    /// PostgreSQL takes at most 65,535 parameters per statement; rows go in slices well below that.
    static let rowsPerStatement = 500

    public func append(_ records: [RequestLogRecord]) async throws {
        guard !records.isEmpty else { return }
        let width = RequestLogTable.columns.count
        let updates = RequestLogTable.columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        try await database.transaction { connection in
            for start in stride(from: 0, to: records.count, by: Self.rowsPerStatement) {
                let slice = records[start..<min(records.count, start + Self.rowsPerStatement)]
                var binds = PostgresBindings(capacity: slice.count * width)
                var rows: [String] = []
                for record in slice {
                    let first = binds.count
                    Self.bind(record, into: &binds)
                    rows.append("(" + (1...width).map { "$\(first + $0)" }.joined(separator: ", ") + ")")
                }
                let sql = "INSERT INTO request_log (\(Self.columns)) VALUES \(rows.joined(separator: ", ")) ON CONFLICT (id) DO UPDATE SET \(updates)"
                try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: binds), database.logger)
            }
            // Delivered when (and only if) the transaction commits, to every instance listening.
            for start in stride(from: 0, to: records.count, by: Self.idsPerNotification) {
                let ids = records[start..<min(records.count, start + Self.idsPerNotification)].map(\.id).joined(separator: " ")
                try await connection.rows("SELECT pg_notify(\(Self.channel), \(instanceId + " " + ids))", database.logger)
            }
        }
    }

    public func followOthers(_ deliver: @escaping @Sendable ([RequestLogRecord]) -> Void) async throws -> Bool {
        try await database.client.withConnection { connection in
            try await connection.listen(on: Self.channel) { notifications in
                for try await notification in notifications {
                    let words = notification.payload.split(separator: " ").map(String.init)
                    guard let sender = words.first, sender != instanceId, words.count > 1 else { continue }
                    let ids = Array(words.dropFirst())
                    // Content stays out of the live feed, as it does for this instance's own rows.
                    let rows = try await database.query("SELECT \(unescaped: Self.columns) FROM request_log WHERE id = ANY(\(ids))")
                    deliver(try rows.map(Self.record).map { record in
                        var shown = record
                        shown.contentIn = nil
                        shown.contentOut = nil
                        return shown
                    })
                }
            }
        }
        return true
    }

    public func query(_ filter: RequestLogFilter, after cursor: RequestLogCursor?, limit: Int) async throws -> RequestLogPage {
        let limit = max(0, limit)
        var clause = Clause(filter)
        if let cursor {
            let start = clause.bind(cursor.startedAtMicros)
            let id = clause.bind(cursor.id)
            clause.conditions.append("(startMicros < \(start) OR (startMicros = \(start) AND id < \(id)))")
        }
        let limitParameter = clause.bind(Int64(limit + 1))
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.columns) FROM request_log\(clause.sql) ORDER BY startMicros DESC, id DESC LIMIT \(limitParameter)",
                binds: clause.binds))
        let records = try rows.prefix(limit).map(Self.record)
        let next = rows.count > limit ? records.last.map(RequestLogCursor.init(after:)) : nil
        return RequestLogPage(records: records, next: next)
    }

    public func totals(_ filter: RequestLogFilter) async throws -> RequestLogTotals {
        let clause = Clause(filter)
        // percentile_disc is the nearest-rank percentile the SQLite store computes by sorting.
        let sql = """
            SELECT COUNT(*)::BIGINT, COALESCE(SUM(CASE WHEN \(RequestLogTable.succeededSQL) THEN 1 ELSE 0 END), 0)::BIGINT,
                COALESCE(SUM(inputTokens), 0)::BIGINT, COALESCE(SUM(outputTokens), 0)::BIGINT,
                COALESCE(SUM(cacheReadTokens), 0)::BIGINT, COALESCE(SUM(cacheWriteTokens), 0)::BIGINT,
                COALESCE(SUM(costNanoUSD), 0)::BIGINT, (COUNT(*) - COUNT(costNanoUSD))::BIGINT,
                (percentile_disc(0.5) WITHIN GROUP (ORDER BY latencyMs))::BIGINT,
                (percentile_disc(0.95) WITHIN GROUP (ORDER BY latencyMs))::BIGINT
            FROM request_log\(clause.sql)
            """
        guard let row = try await database.query(PostgresQuery(unsafeSQL: sql, binds: clause.binds)).first else {
            return RequestLogTotals(
                count: 0, succeeded: 0, tokens: RequestLogTokens(input: 0, output: 0, cacheRead: 0, cacheWrite: 0), cost: USDAmount(nanos: 0),
                unpriced: 0, latencyP50Ms: nil, latencyP95Ms: nil)
        }
        let (count, succeeded, input, output, cacheRead, cacheWrite, cost, unpriced, p50, p95) = try row.decode(
            (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64?, Int64?).self)
        return RequestLogTotals(
            count: Int(count), succeeded: Int(succeeded),
            tokens: RequestLogTokens(input: Int(input), output: Int(output), cacheRead: Int(cacheRead), cacheWrite: Int(cacheWrite)),
            cost: USDAmount(nanos: cost), unpriced: Int(unpriced), latencyP50Ms: p50.map(Int.init), latencyP95Ms: p95.map(Int.init))
    }

    public func series(_ filter: RequestLogFilter, bucketSeconds: Int) async throws -> RequestLogSeries {
        let width = max(1, bucketSeconds)
        let micros = Int64(width) * 1_000_000
        let clause = Clause(filter)
        func run(_ sql: String) async throws -> [PostgresRow] {
            try await database.query(PostgresQuery(unsafeSQL: sql, binds: clause.binds))
        }
        let calls = try await run(RequestLogSeriesSQL.calls(clause.sql, bucketMicros: micros)).map { row in
            let (bucket, errorClass, calls, tokens, cost) = try row.decode((Int64, String, Int64, Int64, Int64).self)
            return (bucket: bucket, errorClass: errorClass, calls: Int(calls), tokens: Int(tokens), cost: cost)
        }
        var percentiles: [Int64: (Int?, Int?)] = [:]
        for row in try await run(RequestLogSeriesSQL.percentiles(clause.sql, bucketMicros: micros)) {
            let (bucket, p50, p95) = try row.decode((Int64, Int64?, Int64?).self)
            percentiles[bucket] = (p50.map(Int.init), p95.map(Int.init))
        }
        func tops(_ sql: String) async throws -> [RequestLogSeries.Top] {
            try await run(sql).map { row in
                let (name, calls, cost) = try row.decode((String, Int64, Int64).self)
                return RequestLogSeries.Top(name: name, calls: Int(calls), cost: USDAmount(nanos: cost))
            }
        }
        return RequestLogSeries(
            bucketSeconds: width, buckets: RequestLogSeriesSQL.buckets(calls: calls, percentiles: percentiles, bucketSeconds: width),
            topModels: try await tops(RequestLogSeriesSQL.topModels(clause.sql)), topKeys: try await tops(RequestLogSeriesSQL.topKeys(clause.sql)))
    }

    @discardableResult
    public func deleteStarted(before date: Date) async throws -> Int {
        try await database.query("DELETE FROM request_log WHERE startMicros < \(RequestLogTime.micros(date)) RETURNING 1").count
    }

    /// In `RequestLogTable.columns` order.
    static func bind(_ r: RequestLogRecord, into binds: inout PostgresBindings) {
        binds.append(r.id)
        binds.append(RequestLogTime.micros(r.startedAt))
        binds.append(RequestLogTime.micros(r.endedAt))
        binds.append(r.door)
        binds.append(r.operation)
        binds.append(r.route)
        binds.append(Int64(r.httpStatus))
        binds.append(r.errorCode)
        binds.append(r.errorClass?.rawValue)
        binds.append(r.provider)
        binds.append(r.providerKeyName)
        binds.append(r.modelRequested)
        binds.append(r.modelResolved)
        binds.append(r.stream)
        binds.append(r.stopReason)
        binds.append(Int64(r.tokens.input))
        binds.append(Int64(r.tokens.output))
        binds.append(Int64(r.tokens.cacheRead))
        binds.append(Int64(r.tokens.cacheWrite))
        binds.append(r.cost?.nanos)
        binds.append(r.priceVersion)
        binds.append(Int64(r.latencyMs))
        binds.append(r.upstreamLatencyMs.map(Int64.init))
        binds.append(r.timeToFirstTokenMs.map(Int64.init))
        binds.append(Int64(r.retries))
        binds.append(r.fallbackIndex.map(Int64.init))
        binds.append(r.batchJobId)
        binds.append(r.callerIdentity)
        binds.append(r.userAgent)
        binds.append(r.contentIn)
        binds.append(r.contentOut)
        binds.append(r.traceId)
        binds.append(r.tokensEstimated)
        binds.append(r.cacheOutcome)
        binds.append(r.cacheType)
    }

    static func record(_ row: PostgresRow) throws -> RequestLogRecord {
        let c = row.makeRandomAccess()
        func text(_ i: Int) throws -> String? { try c[i].decode(String?.self) }
        func int(_ i: Int) throws -> Int? { try c[i].decode(Int64?.self).map(Int.init) }
        return RequestLogRecord(
            id: try c[0].decode(String.self), startedAt: RequestLogTime.date(try c[1].decode(Int64.self)),
            endedAt: RequestLogTime.date(try c[2].decode(Int64.self)), door: try c[3].decode(String.self),
            operation: try c[4].decode(String.self), route: try c[5].decode(String.self), httpStatus: try int(6) ?? 0,
            errorCode: try text(7), errorClass: try text(8).flatMap(RequestLogErrorClass.init(rawValue:)), provider: try text(9),
            providerKeyName: try text(10), modelRequested: try text(11), modelResolved: try text(12), stream: try c[13].decode(Bool.self),
            stopReason: try text(14),
            tokens: RequestLogTokens(input: try int(15) ?? 0, output: try int(16) ?? 0, cacheRead: try int(17) ?? 0, cacheWrite: try int(18) ?? 0),
            tokensEstimated: try c[32].decode(Bool.self), cost: try c[19].decode(Int64?.self).map(USDAmount.init(nanos:)),
            priceVersion: try text(20), latencyMs: try int(21) ?? 0, upstreamLatencyMs: try int(22), timeToFirstTokenMs: try int(23),
            retries: try int(24) ?? 0, fallbackIndex: try int(25), batchJobId: try text(26), callerIdentity: try text(27),
            userAgent: try text(28), traceId: try text(31), contentIn: try text(29), contentOut: try text(30), cacheOutcome: try text(33),
            cacheType: try text(34))
    }

    /// `RequestLogTable.whereClause` with PostgreSQL's numbered parameters.
    struct Clause {
        var conditions: [String] = []
        var parameters = PostgresParameters()
        var binds: PostgresBindings { parameters.binds }

        mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String { parameters.bind(value) }
        mutating func list(_ values: [some PostgresDynamicTypeEncodable]) -> String { parameters.list(values) }

        init(_ filter: RequestLogFilter) {
            if let from = filter.startedFrom { conditions.append("startMicros >= \(bind(RequestLogTime.micros(from)))") }
            if let before = filter.startedBefore { conditions.append("startMicros < \(bind(RequestLogTime.micros(before)))") }
            if !filter.providers.isEmpty { conditions.append("provider IN (\(list(filter.providers)))") }
            if !filter.models.isEmpty {
                conditions.append("(modelResolved IN (\(list(filter.models))) OR modelRequested IN (\(list(filter.models))))")
            }
            if !filter.httpStatuses.isEmpty { conditions.append("httpStatus IN (\(list(filter.httpStatuses.map(Int64.init))))") }
            if !filter.errorClasses.isEmpty { conditions.append("errorClass IN (\(list(filter.errorClasses.map(\.rawValue))))") }
            switch filter.succeeded {
            case true?: conditions.append("(\(RequestLogTable.succeededSQL))")
            case false?: conditions.append("NOT (\(RequestLogTable.succeededSQL))")
            case nil: break
            }
            if !filter.callerIdentities.isEmpty { conditions.append("callerIdentity IN (\(list(filter.callerIdentities)))") }
            if let latency = filter.minLatencyMs { conditions.append("latencyMs >= \(bind(Int64(latency)))") }
            if let cost = filter.minCost { conditions.append("costNanoUSD >= \(bind(cost.nanos))") }
            if let text = filter.contentContains, !text.isEmpty {
                let needle = bind(text)
                conditions.append("(strpos(lower(contentIn), lower(\(needle))) > 0 OR strpos(lower(contentOut), lower(\(needle))) > 0)")
            }
        }

        var sql: String { conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ") }
    }
}
