import Foundation

/// A budget's reset period, from its text form: `Nm` minutes, `Nh` hours, `Nd` days, `Nw` weeks, `NM` or `Nmo`
/// months, `NQ` quarters, `NY` years (`N` ≥ 1; `h d w Q Y` may be either case, `m` is always minutes).
///
/// Windows are computed, never accumulated, so they do not drift:
/// - rolling (the default): the `k`-th window starts at `anchor + k·period` (calendar months for M/Q/Y, the day
///   of month clamped to the month's length: a budget anchored on Jan 31 resets on Feb 28, Mar 31, Apr 30, …);
/// - calendar-aligned, for days and longer: at UTC boundaries counted from 1970 — midnight, Monday 00:00, the
///   1st of the month, Jan/Apr/Jul/Oct 1st, Jan 1st (`2d` windows start on every other day since 1970-01-01,
///   `2w` every other Monday since 1970-01-05, `6M` on Jan 1st and Jul 1st). Minutes and hours keep rolling.
public enum BudgetPeriod: Sendable, Hashable, CustomStringConvertible {
    case minutes(Int)
    case hours(Int)
    case days(Int)
    case weeks(Int)
    case months(Int)
    case quarters(Int)
    case years(Int)

    /// Keeps every window computation far inside 64 bits (a million years at most).
    static let maxCount = 1_000_000

    public init(parsing text: String) throws(BudgetPeriodError) {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = text.dropFirst(digits.count)
        guard !digits.isEmpty, digits.count <= 7, let count = Int(digits), count >= 1, count <= Self.maxCount else {
            throw BudgetPeriodError(text: text)
        }
        switch unit {
        case "m": self = .minutes(count)
        case "h", "H": self = .hours(count)
        case "d", "D": self = .days(count)
        case "w", "W": self = .weeks(count)
        case "M", "mo": self = .months(count)
        case "Q", "q": self = .quarters(count)
        case "Y", "y": self = .years(count)
        default: throw BudgetPeriodError(text: text)
        }
    }

    /// The canonical text (`5m`, `1M`, `1Q`).
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

    /// The window that holds `now`, in whole seconds since 1970 (`start <= now < end`). `anchor` is where rolling
    /// windows count from (the key's creation); aligned windows ignore it.
    public func window(containing now: Date, anchor: Date, calendarAligned: Bool) -> (start: Int64, end: Int64) {
        let now = Self.seconds(now)
        let anchor = Self.seconds(anchor)
        switch (self, calendarAligned) {
        case (.minutes(let n), _): return Self.fixed(now, from: anchor, length: Int64(n) * 60)
        case (.hours(let n), _): return Self.fixed(now, from: anchor, length: Int64(n) * 3_600)
        case (.days(let n), false): return Self.fixed(now, from: anchor, length: Int64(n) * 86_400)
        case (.weeks(let n), false): return Self.fixed(now, from: anchor, length: Int64(n) * 604_800)
        case (.days(let n), true): return Self.fixed(now, from: 0, length: Int64(n) * 86_400)
        // 1970-01-05, the first Monday after the epoch.
        case (.weeks(let n), true): return Self.fixed(now, from: 4 * 86_400, length: Int64(n) * 604_800)
        case (.months(let n), let aligned): return Self.calendar(now, from: anchor, months: n, aligned: aligned)
        case (.quarters(let n), let aligned): return Self.calendar(now, from: anchor, months: 3 * n, aligned: aligned)
        case (.years(let n), let aligned): return Self.calendar(now, from: anchor, months: 12 * n, aligned: aligned)
        }
    }

    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    static func fixed(_ now: Int64, from origin: Int64, length: Int64) -> (start: Int64, end: Int64) {
        let k = floorDivide(now - origin, length)
        let start = origin + k * length
        return (start, start + length)
    }

    /// Month-length windows: the `k`-th starts `k·months` calendar months after the origin, at the origin's day
    /// (clamped) and time of day; aligned windows count from 1970-01-01 00:00, so they start on a 1st at midnight.
    static func calendar(_ now: Int64, from anchor: Int64, months: Int, aligned: Bool) -> (start: Int64, end: Int64) {
        let origin = aligned ? UTCDate(seconds: 0) : UTCDate(seconds: anchor)
        let step = Int64(months)
        let target = UTCDate(seconds: now)
        var k = floorDivide(target.monthIndex - origin.monthIndex, step)
        // The guess is off by one when `now` is in the right month but before the origin's day or time of day.
        while origin.adding(months: k * step) > now { k -= 1 }
        while origin.adding(months: (k + 1) * step) <= now { k += 1 }
        return (origin.adding(months: k * step), origin.adding(months: (k + 1) * step))
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? q - 1 : q
    }
}

public struct BudgetPeriodError: Error, Hashable, CustomStringConvertible {
    public let text: String

    public var description: String {
        "'\(text)' is not a budget period: write a count and a unit, m (minutes), h, d, w, M or mo (months), Q or Y, e.g. 30d or 1M"
    }
}

/// A moment split into its UTC calendar fields, for month arithmetic without Foundation's `Calendar` (whose
/// answers depend on the process's settings and cost far more than these few integer operations).
struct UTCDate {
    var year: Int64
    /// 1...12
    var month: Int64
    var day: Int64
    var secondOfDay: Int64

    init(seconds: Int64) {
        let days = BudgetPeriod.floorDivide(seconds, 86_400)
        secondOfDay = seconds - days * 86_400
        (year, month, day) = Self.civil(fromDays: days)
    }

    var monthIndex: Int64 { year * 12 + month - 1 }

    /// `months` calendar months later (or earlier), the day clamped to the length of the month reached.
    func adding(months: Int64) -> Int64 {
        let index = monthIndex + months
        let year = BudgetPeriod.floorDivide(index, 12)
        let month = index - year * 12 + 1
        let day = min(self.day, Self.length(of: month, in: year))
        return Self.days(fromCivil: year, month, day) * 86_400 + secondOfDay
    }

    static func length(of month: Int64, in year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days-from-civil and civil-from-days (proleptic Gregorian, day 0 = 1970-01-01).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = BudgetPeriod.floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = BudgetPeriod.floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
