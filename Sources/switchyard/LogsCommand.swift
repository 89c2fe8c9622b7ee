import ArgumentParser
import Foundation
import Stores
import SwitchyardServer

/// `switchyard logs`: the request log as a table, read from the data dir's database (the gateway may be running).
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Show the request log, newest first; --follow prints new rows as they are written.")

    @OptionGroup var store: BatchStoreOptions

    @Flag(help: "Keep printing rows as they are written (oldest of the new ones first).")
    var follow = false

    @Option(help: "Seconds between looks at the store with --follow.")
    var interval: Double = 1

    @Option(help: "Rows started at or after this time (RFC 3339 or seconds since 1970).") var from: String?
    @Option(help: "Rows started before this time.") var to: String?
    @Option(help: "Only this provider (comma-separate several).") var provider: String?
    @Option(help: "Only this model, requested or resolved.") var model: String?
    @Option(help: "Only this HTTP status.") var status: String?
    @Option(name: .customLong("error-class"), help: "caller, policy, provider or gateway.") var errorClass: String?
    @Option(help: "true: only successes; false: only failures.") var success: String?
    @Option(name: .customLong("min-latency-ms"), help: "At least this latency.") var minLatencyMs: String?
    @Option(name: .customLong("min-cost"), help: "At least this cost in USD.") var minCost: String?
    @Option(name: .customLong("search"), help: "Text in the stored content.") var search: String?
    @Option(name: .customLong("key-id"), help: "Only calls made with this virtual key (its id).") var keyId: String?
    @Option(help: "Rows to show (1 to 1000).") var limit: String?

    func run() async throws {
        let pairs: [(String, String?)] = [
            ("from", from), ("to", to), ("provider", provider), ("model", model), ("status", status),
            ("error_class", errorClass), ("success", success), ("min_latency_ms", minLatencyMs), ("min_cost", minCost),
            ("q", search), ("key_id", keyId), ("limit", limit),
        ]
        let query: LogQuery
        do {
            query = try LogQuery(pairs.compactMap { name, value in value.map { (name, $0) } })
        } catch {
            throw ValidationError(error.message)
        }
        let opened = try await store.open()
        defer { try? opened.close() }
        let page = try await opened.requestLog.query(query.filter, after: nil, limit: query.limit)
        let shownFirst = ([LogTable.header] + page.records.reversed().map(LogTable.row)).joined(separator: "\n")
        FileHandle.standardOutput.write(Data((shownFirst + "\n").utf8))
        guard follow else { return }
        // Rows are looked for by start time, and one may be written after a later-started one (a long stream):
        // look back a minute each time and skip what was already there or shown.
        let lookBackSeconds = 60.0
        func window(since: Date) -> RequestLogFilter {
            var filter = query.filter
            let from = since.addingTimeInterval(-lookBackSeconds)
            filter.startedFrom = max(filter.startedFrom ?? from, from)
            return filter
        }
        var since = page.records.first?.startedAt ?? Date()
        var shown = Set(try await opened.requestLog.query(window(since: since), after: nil, limit: 1_000_000).records.map(\.id))
        shown.formUnion(page.records.map(\.id))
        while true {
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
            let fresh = try await opened.requestLog.query(window(since: since), after: nil, limit: LogQuery.maxLimit).records
                .filter { !shown.contains($0.id) }
            for record in fresh.reversed() {
                // Written at once, not through stdio's buffer, so a pipe sees each row as it is logged.
                FileHandle.standardOutput.write(Data((LogTable.row(record) + "\n").utf8))
                shown.insert(record.id)
                since = max(since, record.startedAt)
            }
        }
    }
}

enum LogTable {
    static let widths = [24, 8, 22, 9, 30, 6, 8, 10, 12, 8]
    static let header = format(["STARTED", "STATUS", "OPERATION", "PROVIDER", "MODEL", "STREAM", "TOKENS", "COST", "LATENCY", "ERROR"])

    static func row(_ r: RequestLogRecord) -> String {
        let tokens = "\(r.tokens.input)/\(r.tokens.output)\(r.tokensEstimated ? "~" : "")"
        let error = [r.errorCode, r.errorClass.map { "(\($0.rawValue))" }].compactMap { $0 }.joined(separator: " ")
        return format([
            time(r.startedAt), "\(r.httpStatus)", r.operation, r.provider ?? "-", r.modelResolved ?? r.modelRequested ?? "-",
            r.stream ? "yes" : "no", tokens, r.cost.map { "$\($0)" } ?? "unpriced", "\(r.latencyMs)ms", error.isEmpty ? "-" : error,
        ])
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func format(_ columns: [String]) -> String {
        zip(columns, widths + [0]).map { text, width in text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
}
