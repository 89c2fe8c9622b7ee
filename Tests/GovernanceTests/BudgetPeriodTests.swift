import Foundation
import Testing

@testable import Governance

@Suite struct BudgetPeriodTests {
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    @Test(arguments: [
        ("30m", BudgetPeriod.minutes(30)), ("1h", .hours(1)), ("7d", .days(7)), ("2w", .weeks(2)), ("1M", .months(1)),
        ("3mo", .months(3)), ("1Q", .quarters(1)), ("1Y", .years(1)),
    ])
    func theGrammarParses(text: String, period: BudgetPeriod) throws {
        #expect(try BudgetPeriod(parsing: text) == period)
    }

    @Test(arguments: ["", "M", "0d", "-1d", "1", "1D", "1y", "1q", "1 d", "1.5h", "10001d", "1mon", "99999999999999999999m"])
    func anythingElseIsRefusedWithTheGrammarInTheMessage(text: String) {
        #expect {
            try BudgetPeriod(parsing: text)
        } throws: { error in
            "\(error)".contains("'\(text)' is not a budget period") && "\(error)".contains("1M or 1mo")
        }
    }

    @Test func rollingWindowsAreLaidEndToEndFromTheAnchor() {
        let anchor = Self.date("2026-01-31T10:00:00Z")
        let hours = BudgetPeriod.hours(6).window(containing: Self.date("2026-02-01T05:00:00Z"), anchor: anchor, calendarAligned: false)
        #expect(hours.start == Self.date("2026-02-01T04:00:00Z") && hours.end == Self.date("2026-02-01T10:00:00Z"))
        // Months add as the calendar does, from the anchor each time (Jan 31 → Feb 28 → Mar 31), so they never drift.
        let months = BudgetPeriod.months(1)
        #expect(months.window(containing: Self.date("2026-03-01T00:00:00Z"), anchor: anchor, calendarAligned: false).start == Self.date("2026-02-28T10:00:00Z"))
        #expect(months.window(containing: Self.date("2026-04-15T00:00:00Z"), anchor: anchor, calendarAligned: false)
            == DateInterval(start: Self.date("2026-03-31T10:00:00Z"), end: Self.date("2026-04-30T10:00:00Z")))
        // Before the anchor there is only the first window.
        #expect(months.window(containing: Self.date("2025-01-01T00:00:00Z"), anchor: anchor, calendarAligned: false).start == anchor)
    }

    @Test func alignedWindowsStartOnUTCBoundaries() {
        let now = Self.date("2026-05-14T15:30:00Z")  // a Thursday
        let anchor = Self.date("2020-02-17T08:00:00Z")
        func aligned(_ period: BudgetPeriod) -> DateInterval { period.window(containing: now, anchor: anchor, calendarAligned: true) }
        #expect(aligned(.days(1)) == DateInterval(start: Self.date("2026-05-14T00:00:00Z"), end: Self.date("2026-05-15T00:00:00Z")))
        #expect(aligned(.weeks(1)) == DateInterval(start: Self.date("2026-05-11T00:00:00Z"), end: Self.date("2026-05-18T00:00:00Z")))
        #expect(aligned(.months(1)) == DateInterval(start: Self.date("2026-05-01T00:00:00Z"), end: Self.date("2026-06-01T00:00:00Z")))
        #expect(aligned(.quarters(1)) == DateInterval(start: Self.date("2026-04-01T00:00:00Z"), end: Self.date("2026-07-01T00:00:00Z")))
        #expect(aligned(.years(1)) == DateInterval(start: Self.date("2026-01-01T00:00:00Z"), end: Self.date("2027-01-01T00:00:00Z")))
        // Sub-day periods keep rolling from the anchor even when aligned is asked for.
        #expect(aligned(.hours(1)).start == Self.date("2026-05-14T15:00:00Z"))
        #expect(aligned(.minutes(45)) == BudgetPeriod.minutes(45).window(containing: now, anchor: anchor, calendarAligned: false))
    }
}
