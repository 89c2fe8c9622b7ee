import Foundation
import SwitchyardModel

/// Which rows of the request log a query or a totals call looks at; every set condition must hold.
public struct RequestLogFilter: Sendable, Hashable {
    /// Requests started at or after this time.
    public var startedFrom: Date?
    /// Requests started before this time.
    public var startedBefore: Date?
    /// Any of these providers (empty: any).
    public var providers: [String]
    /// Any of these models, requested or resolved (empty: any).
    public var models: [String]
    /// Any of these HTTP statuses (empty: any).
    public var httpStatuses: [Int]
    /// Any of these error classes (empty: any, successes included).
    public var errorClasses: [RequestLogErrorClass]
    /// Only successes (true) or only failures (false), as `RequestLogRecord.succeeded` defines them.
    public var succeeded: Bool?
    public var minLatencyMs: Int?
    /// At least this cost; unpriced rows never match.
    public var minCost: USDAmount?
    /// Case-insensitive (ASCII) substring of the stored request or answer content.
    public var contentContains: String?
    /// Any of these callers, by virtual key id (empty: any, anonymous calls included).
    public var callerIdentities: [String] = []

    public init(
        startedFrom: Date? = nil, startedBefore: Date? = nil, providers: [String] = [], models: [String] = [],
        httpStatuses: [Int] = [], errorClasses: [RequestLogErrorClass] = [], succeeded: Bool? = nil,
        minLatencyMs: Int? = nil, minCost: USDAmount? = nil, contentContains: String? = nil
    ) {
        self.startedFrom = startedFrom
        self.startedBefore = startedBefore
        self.providers = providers
        self.models = models
        self.httpStatuses = httpStatuses
        self.errorClasses = errorClasses
        self.succeeded = succeeded
        self.minLatencyMs = minLatencyMs
        self.minCost = minCost
        self.contentContains = contentContains
    }
}

/// Where a page of the log ended: the (start time, id) of its last row. The next page holds the rows strictly
/// older in that order, so rows logged meanwhile neither shift nor repeat it.
public struct RequestLogCursor: Sendable, Hashable {
    public var startedAtMicros: Int64
    public var id: String

    public init(startedAtMicros: Int64, id: String) {
        self.startedAtMicros = startedAtMicros
        self.id = id
    }

    public init(after record: RequestLogRecord) {
        self.init(startedAtMicros: RequestLogTime.micros(record.startedAt), id: record.id)
    }

    /// Opaque text for an API's `before=` parameter: `<micros>_<id>` in base64url.
    public var token: String {
        Data("\(startedAtMicros)_\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Nil for anything `token` did not make, so an API can answer a bad cursor with a validation error.
    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
              let separator = text.firstIndex(of: "_"), let micros = Int64(text[..<separator])
        else { return nil }
        let id = String(text[text.index(after: separator)...])
        guard !id.isEmpty else { return nil }
        self.init(startedAtMicros: micros, id: id)
    }
}

public struct RequestLogPage: Sendable, Hashable {
    /// Newest first: by start time, then id, both descending.
    public var records: [RequestLogRecord]
    /// Set when older rows remain.
    public var next: RequestLogCursor?

    public init(records: [RequestLogRecord], next: RequestLogCursor?) {
        self.records = records
        self.next = next
    }
}

public struct RequestLogTotals: Sendable, Hashable {
    public var count: Int
    public var succeeded: Int
    public var tokens: RequestLogTokens
    /// The sum over priced rows only.
    public var cost: USDAmount
    /// Rows without a cost (unpriced model); their spend is unknown, not zero.
    public var unpriced: Int
    /// Nearest-rank percentiles of `latencyMs`; nil when no row matched.
    public var latencyP50Ms: Int?
    public var latencyP95Ms: Int?

    public init(
        count: Int, succeeded: Int, tokens: RequestLogTokens, cost: USDAmount, unpriced: Int, latencyP50Ms: Int?,
        latencyP95Ms: Int?
    ) {
        self.count = count
        self.succeeded = succeeded
        self.tokens = tokens
        self.cost = cost
        self.unpriced = unpriced
        self.latencyP50Ms = latencyP50Ms
        self.latencyP95Ms = latencyP95Ms
    }

    /// Nil when there is nothing to divide by.
    public var successRate: Double? { count == 0 ? nil : Double(succeeded) / Double(count) }
}

/// The request log's storage: SQLite here, PostgreSQL later, so it stays this small.
public protocol RequestLogStore: Sendable {
    /// Writes the rows in one transaction: all or none. A row whose id is already stored replaces it.
    func append(_ records: [RequestLogRecord]) async throws
    /// Up to `limit` rows matching the filter, newest first, strictly after `cursor` when given.
    func query(_ filter: RequestLogFilter, after cursor: RequestLogCursor?, limit: Int) async throws -> RequestLogPage
    func totals(_ filter: RequestLogFilter) async throws -> RequestLogTotals
    /// Every matching row, by buckets of `bucketSeconds` (at least 1), with the top models and keys.
    func series(_ filter: RequestLogFilter, bucketSeconds: Int) async throws -> RequestLogSeries
    /// Deletes rows started before the date (retention); returns how many.
    @discardableResult func deleteStarted(before date: Date) async throws -> Int
    /// On a store other gateways write too: hands `deliver` the rows they append, as they commit, until cancelled.
    /// Returns at once (false) when no other gateway writes this store.
    func followOthers(_ deliver: @escaping @Sendable ([RequestLogRecord]) -> Void) async throws -> Bool
}

extension RequestLogStore {
    public func followOthers(_ deliver: @escaping @Sendable ([RequestLogRecord]) -> Void) async throws -> Bool { false }
}

/// The log's clock unit: whole microseconds since 1970, exact in an integer column and in a cursor.
public enum RequestLogTime {
    public static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    public static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }
}
