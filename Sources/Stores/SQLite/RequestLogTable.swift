import Foundation
import GRDB
import SwitchyardModel

/// Schema and row mapping for `request_log`.
enum RequestLogTable {
    // Times are INTEGER microseconds so a (start, id) cursor compares exactly; cost is INTEGER nano-dollars, NULL
    // when unpriced. The indexes serve the dashboard's usual questions: recent rows, one model, one status.
    static let schema = """
        CREATE TABLE request_log (
            id TEXT NOT NULL PRIMARY KEY,
            startMicros INTEGER NOT NULL,
            endMicros INTEGER NOT NULL,
            door TEXT NOT NULL,
            operation TEXT NOT NULL,
            route TEXT NOT NULL,
            httpStatus INTEGER NOT NULL,
            errorCode TEXT,
            errorClass TEXT,
            provider TEXT,
            providerKeyName TEXT,
            modelRequested TEXT,
            modelResolved TEXT,
            stream INTEGER NOT NULL,
            stopReason TEXT,
            inputTokens INTEGER NOT NULL,
            outputTokens INTEGER NOT NULL,
            cacheReadTokens INTEGER NOT NULL,
            cacheWriteTokens INTEGER NOT NULL,
            costNanoUSD INTEGER,
            priceVersion TEXT,
            latencyMs INTEGER NOT NULL,
            upstreamLatencyMs INTEGER,
            timeToFirstTokenMs INTEGER,
            retries INTEGER NOT NULL,
            fallbackIndex INTEGER,
            batchJobId TEXT,
            callerIdentity TEXT,
            userAgent TEXT,
            contentIn TEXT,
            contentOut TEXT
        );
        CREATE INDEX request_log_by_time ON request_log (startMicros, id);
        CREATE INDEX request_log_by_model ON request_log (modelResolved, startMicros);
        CREATE INDEX request_log_by_status ON request_log (httpStatus, startMicros);
        CREATE INDEX request_log_by_provider ON request_log (provider, startMicros);
        """

    /// Columns that arrived after v2 shipped its table: the trace id, and whether the tokens are an estimate.
    static let addTraceAndEstimate = """
        ALTER TABLE request_log ADD COLUMN traceId TEXT;
        ALTER TABLE request_log ADD COLUMN tokensEstimated INTEGER NOT NULL DEFAULT 0;
        """

    /// The answer cache's verdict on each call.
    static let addCacheOutcome = """
        ALTER TABLE request_log ADD COLUMN cacheOutcome TEXT;
        ALTER TABLE request_log ADD COLUMN cacheType TEXT;
        """

    /// A key's usage and its log page are read by caller and time.
    static let indexByCaller = "CREATE INDEX request_log_by_caller ON request_log (callerIdentity, startMicros)"

    static let columns = [
        "id", "startMicros", "endMicros", "door", "operation", "route", "httpStatus", "errorCode", "errorClass",
        "provider", "providerKeyName", "modelRequested", "modelResolved", "stream", "stopReason", "inputTokens",
        "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costNanoUSD", "priceVersion", "latencyMs",
        "upstreamLatencyMs", "timeToFirstTokenMs", "retries", "fallbackIndex", "batchJobId", "callerIdentity",
        "userAgent", "contentIn", "contentOut", "traceId", "tokensEstimated", "cacheOutcome", "cacheType",
    ]

    static var insertSQL: String {
        "INSERT OR REPLACE INTO request_log (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
    }

    static func arguments(_ r: RequestLogRecord) -> StatementArguments {
        let values: [(any DatabaseValueConvertible)?] = [
            r.id, RequestLogTime.micros(r.startedAt), RequestLogTime.micros(r.endedAt), r.door, r.operation, r.route,
            r.httpStatus, r.errorCode, r.errorClass?.rawValue, r.provider, r.providerKeyName, r.modelRequested,
            r.modelResolved, r.stream, r.stopReason, r.tokens.input, r.tokens.output, r.tokens.cacheRead,
            r.tokens.cacheWrite, r.cost?.nanos, r.priceVersion, r.latencyMs, r.upstreamLatencyMs, r.timeToFirstTokenMs,
            r.retries, r.fallbackIndex, r.batchJobId, r.callerIdentity, r.userAgent, r.contentIn, r.contentOut, r.traceId, r.tokensEstimated,
            r.cacheOutcome, r.cacheType,
        ]
        return StatementArguments(values)
    }

    static func record(_ row: Row) -> RequestLogRecord {
        let errorClass: String? = row["errorClass"]
        let cost: Int64? = row["costNanoUSD"]
        return RequestLogRecord(
            id: row["id"], startedAt: RequestLogTime.date(row["startMicros"]), endedAt: RequestLogTime.date(row["endMicros"]),
            door: row["door"], operation: row["operation"], route: row["route"], httpStatus: row["httpStatus"],
            errorCode: row["errorCode"], errorClass: errorClass.flatMap(RequestLogErrorClass.init(rawValue:)),
            provider: row["provider"], providerKeyName: row["providerKeyName"], modelRequested: row["modelRequested"],
            modelResolved: row["modelResolved"], stream: row["stream"], stopReason: row["stopReason"],
            tokens: RequestLogTokens(
                input: row["inputTokens"], output: row["outputTokens"], cacheRead: row["cacheReadTokens"],
                cacheWrite: row["cacheWriteTokens"]),
            tokensEstimated: row["tokensEstimated"], cost: cost.map(USDAmount.init(nanos:)), priceVersion: row["priceVersion"], latencyMs: row["latencyMs"],
            upstreamLatencyMs: row["upstreamLatencyMs"], timeToFirstTokenMs: row["timeToFirstTokenMs"],
            retries: row["retries"], fallbackIndex: row["fallbackIndex"], batchJobId: row["batchJobId"],
            callerIdentity: row["callerIdentity"], userAgent: row["userAgent"], traceId: row["traceId"], contentIn: row["contentIn"],
            contentOut: row["contentOut"], cacheOutcome: row["cacheOutcome"], cacheType: row["cacheType"])
    }

    /// The filter as a WHERE clause (empty when nothing is set) and its arguments.
    static func whereClause(_ filter: RequestLogFilter) -> (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        func add(_ condition: String, _ values: [(any DatabaseValueConvertible)?]) {
            conditions.append(condition)
            _ = arguments.append(contentsOf: StatementArguments(values))
        }
        func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

        if let from = filter.startedFrom { add("startMicros >= ?", [RequestLogTime.micros(from)]) }
        if let before = filter.startedBefore { add("startMicros < ?", [RequestLogTime.micros(before)]) }
        if !filter.providers.isEmpty { add("provider IN (\(placeholders(filter.providers.count)))", filter.providers) }
        if !filter.models.isEmpty {
            let list = placeholders(filter.models.count)
            add("(modelResolved IN (\(list)) OR modelRequested IN (\(list)))", filter.models + filter.models)
        }
        if !filter.httpStatuses.isEmpty {
            add("httpStatus IN (\(placeholders(filter.httpStatuses.count)))", filter.httpStatuses)
        }
        if !filter.errorClasses.isEmpty {
            add("errorClass IN (\(placeholders(filter.errorClasses.count)))", filter.errorClasses.map(\.rawValue))
        }
        switch filter.succeeded {
        case true?: add("(\(succeededSQL))", [])
        case false?: add("NOT (\(succeededSQL))", [])
        case nil: break
        }
        if !filter.callerIdentities.isEmpty {
            add("callerIdentity IN (\(placeholders(filter.callerIdentities.count)))", filter.callerIdentities)
        }
        if let latency = filter.minLatencyMs { add("latencyMs >= ?", [latency]) }
        if let cost = filter.minCost { add("costNanoUSD >= ?", [cost.nanos]) }
        if let text = filter.contentContains, !text.isEmpty {
            // instr, not LIKE: the text may hold % or _. A scan of the rows the other conditions leave.
            add("(instr(lower(contentIn), lower(?)) > 0 OR instr(lower(contentOut), lower(?)) > 0)", [text, text])
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    /// `RequestLogRecord.succeeded` in SQL.
    static let succeededSQL = "httpStatus < 400 AND errorCode IS NULL"
}
