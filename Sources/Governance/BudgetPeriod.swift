import Foundation

/// A budget's reset period: `Nm` minutes, `Nh` hours, `Nd` days, `Nw` weeks, `NM` or `Nmo` months, `NQ` quarters,
/// `NY` years (Bifrost's grammar plus LiteLLM's `mo`; `m` is a minute, `M` a month).
public enum BudgetPeriod: Sendable, Hashable, CustomStringConvertible {
    case minutes(Int)
    case hours(Int)
    case days(Int)
    case weeks(Int)
    case months(Int)
    case quarters(Int)
    case years(Int)

    /// Ten thousand of any unit is far beyond any budget anyone means, and keeps the date arithmetic in range.
    public static let maxCount = 10_000

    public init(parsing text: String) throws(BudgetPeriodError) {
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        let unit = text.dropFirst(digits.count)
        guard !digits.isEmpty, digits.count <= 5, let count = Int(digits), (1...Self.maxCount).contains(count) else {
            throw BudgetPeriodError(text: text)
        }
        switch unit {
        case "m": self = .minutes(count)
        case "h": self = .hours(count)
        case "d": self = .days(count)
        case "w": self = .weeks(count)
        case "M", "mo": self = .months(count)
        case "Q": self = .quarters(count)
        case "Y": self = .years(count)
        default: throw BudgetPeriodError(text: text)
        }
    }

    /// The canonical spelling (`mo` is written `M`).
    public var description: String {
        switch self {
        case .minutes(let n): "\(n)m"
        case .hours(let n): "\(n)h"
        case .days(let n): "\(n)d"
        case .weeks(let n): "\(n)w"
        case .months(let n): "\(n)M"
        case .quarters(let n): "\(n)Q"
        case .years(let n): "\(n)Y"
        }
    }

    /// The window that holds `now`. Rolling windows are laid end to end from `anchor` (the budget's start), so they
    /// never drift; calendar-aligned ones (a day or longer) start on UTC boundaries — midnight, Monday, the 1st,
    /// the quarter, January 1 — counted in steps of the period from 1970. Sub-day periods always roll.
    public func window(containing now: Date, anchor: Date, calendarAligned: Bool) -> DateInterval {
        let start = calendarAligned ? alignedStart(now) ?? rollingStart(now, anchor: anchor) : rollingStart(now, anchor: anchor)
        return DateInterval(start: start, end: advance(start, by: 1))
    }

    /// `date` moved on by `times` periods (calendar arithmetic for months and longer, in UTC).
    public func advance(_ date: Date, by times: Int) -> Date {
        switch self {
        case .minutes(let n): date.addingTimeInterval(Double(times * n) * 60)
        case .hours(let n): date.addingTimeInterval(Double(times * n) * 3600)
        case .days(let n): date.addingTimeInterval(Double(times * n) * 86_400)
        case .weeks(let n): date.addingTimeInterval(Double(times * n) * 604_800)
        case .months(let n): Self.utc.date(byAdding: .month, value: times * n, to: date) ?? date
        case .quarters(let n): Self.utc.date(byAdding: .month, value: times * n * 3, to: date) ?? date
        case .years(let n): Self.utc.date(byAdding: .year, value: times * n, to: date) ?? date
        }
    }

    private var months: Int? {
        switch self {
        case .months(let n): n
        case .quarters(let n): 3 * n
        case .years(let n): 12 * n
        default: nil
        }
    }

    private func rollingStart(_ now: Date, anchor: Date) -> Date {
        guard now >= anchor else { return anchor }
        if let months {
            let parts = Self.utc.dateComponents([.month], from: anchor, to: now)
            var k = max(0, (parts.month ?? 0) / months)
            // Month lengths differ: the estimate may be one period off either way.
            while k > 0, advance(anchor, by: k) > now { k -= 1 }
            while advance(anchor, by: k + 1) <= now { k += 1 }
            return advance(anchor, by: k)
        }
        let length = advance(anchor, by: 1).timeIntervalSince(anchor)
        let k = (now.timeIntervalSince(anchor) / length).rounded(.down)
        return anchor.addingTimeInterval(k * length)
    }

    private func alignedStart(_ now: Date) -> Date? {
        let seconds = now.timeIntervalSince1970
        switch self {
        case .minutes, .hours:
            return nil
        case .days(let n):
            let day = (seconds / 86_400).rounded(.down)
            return Date(timeIntervalSince1970: (day / Double(n)).rounded(.down) * Double(n) * 86_400)
        case .weeks(let n):
            // 1970-01-05 was the first Monday.
            let monday = 4 * 86_400.0
            let week = ((seconds - monday) / 604_800).rounded(.down)
            return Date(timeIntervalSince1970: monday + (week / Double(n)).rounded(.down) * Double(n) * 604_800)
        case .months, .quarters, .years:
            let parts = Self.utc.dateComponents([.year, .month], from: now)
            guard let year = parts.year, let month = parts.month, let months else { return nil }
            let index = (year - 1970) * 12 + (month - 1)
            let start = Int((Double(index) / Double(months)).rounded(.down)) * months
            let startYear = 1970 + Int((Double(start) / 12).rounded(.down))
            let startMonth = start - (startYear - 1970) * 12 + 1
            return Self.utc.date(from: DateComponents(year: startYear, month: startMonth, day: 1))
        }
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

public struct BudgetPeriodError: Error, Sendable, CustomStringConvertible {
    public let text: String

    public var description: String {
        "'\(text)' is not a budget period (expected a count and a unit: 30m, 1h, 1d, 1w, 1M or 1mo, 1Q, 1Y)"
    }
}
