import Foundation
import Stores
import SwitchyardModel

/// A request-log question as `GET /api/logs` and `switchyard logs` ask it: the filter, the page size and where the
/// page starts. Parsed from name/value pairs so the API and the CLI take the same names.
public struct LogQuery: Sendable, Hashable {
    public var filter = RequestLogFilter()
    public var limit = LogQuery.defaultLimit
    public var before: RequestLogCursor?

    public static let defaultLimit = 100
    public static let maxLimit = 1000

    /// The names a query may use; anything else is refused rather than silently ignored.
    public static let names: [String: String] = [
        "from": "rows started at or after this time (RFC 3339, or seconds since 1970)",
        "to": "rows started before this time",
        "provider": "provider name (repeat or comma-separate for several)",
        "model": "model, requested or resolved",
        "status": "HTTP status",
        "error_class": "caller, policy, provider or gateway",
        "success": "true: only successes; false: only failures",
        "min_latency_ms": "at least this latency",
        "min_cost": "at least this cost in USD (unpriced rows never match)",
        "q": "text in the stored request or answer content",
        "key_id": "calls made with this virtual key (its id; comma-separate several)",
        "limit": "rows per page (1 to \(maxLimit), default \(defaultLimit))",
        "before": "the `next` cursor of the previous page",
    ]

    public init() {}

    public init(_ pairs: [(String, String)]) throws(LogQueryError) {
        for (name, value) in pairs {
            try apply(name, value)
        }
    }

    mutating func apply(_ name: String, _ value: String) throws(LogQueryError) {
        func list() -> [String] { value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        func number(_ range: ClosedRange<Int>) throws(LogQueryError) -> Int {
            guard let n = Int(value), range.contains(n) else {
                throw LogQueryError("\(name): expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(value)'")
            }
            return n
        }
        switch name {
        case "from": filter.startedFrom = try Self.time(name, value)
        case "to": filter.startedBefore = try Self.time(name, value)
        case "provider": filter.providers += list()
        case "model": filter.models += list()
        case "status":
            for item in list() {
                guard let status = Int(item), (100...599).contains(status) else {
                    throw LogQueryError("status: expected HTTP statuses such as 200 or 429, got '\(item)'")
                }
                filter.httpStatuses.append(status)
            }
        case "error_class":
            for item in list() {
                guard let errorClass = RequestLogErrorClass(rawValue: item) else {
                    let known = RequestLogErrorClass.allCases.map(\.rawValue).joined(separator: ", ")
                    throw LogQueryError("error_class: '\(item)' is not one of \(known)")
                }
                filter.errorClasses.append(errorClass)
            }
        case "success":
            switch value.lowercased() {
            case "true", "1": filter.succeeded = true
            case "false", "0": filter.succeeded = false
            default: throw LogQueryError("success: expected true or false, got '\(value)'")
            }
        case "min_latency_ms": filter.minLatencyMs = try number(0...Int(Int32.max))
        case "min_cost":
            guard let cost = USDAmount(value), cost >= .zero else {
                throw LogQueryError("min_cost: expected a USD amount such as 0.01, got '\(value)'")
            }
            filter.minCost = cost
        case "q":
            filter.contentContains = value.isEmpty ? nil : value
        case "key_id": filter.callerIdentities += list()
        case "limit": limit = try number(1...Self.maxLimit)
        case "before":
            guard let cursor = RequestLogCursor(token: value) else {
                throw LogQueryError("before: '\(value)' is not a cursor this API gave out (use the `next` of a page)")
            }
            before = cursor
        default:
            throw LogQueryError("unknown filter '\(name)' (known: \(Self.names.keys.sorted().joined(separator: ", ")))")
        }
    }

    static func time(_ name: String, _ value: String) throws(LogQueryError) -> Date {
        if let seconds = Double(value), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: value) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: value) { return date }
        throw LogQueryError("\(name): expected an RFC 3339 time (2025-06-01T12:00:00Z) or seconds since 1970, got '\(value)'")
    }
}

/// A filter the log API cannot use; answered as 400 with this message.
public struct LogQueryError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
