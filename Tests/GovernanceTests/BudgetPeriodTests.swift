import Foundation
import Testing

@testable import Governance

@Suite struct BudgetPeriodTests {
    /// `yyyy-MM-dd HH:mm:ss` in UTC, as seconds since 1970.
    static func utc(_ text: String) -> Int64 {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return Int64(formatter.date(from: text)!.timeIntervalSince1970)
    }

    static func date(_ text: String) -> Date { Date(timeIntervalSince1970: TimeInterval(utc(text))) }

    func window(_ period: String, _ now: String, anchor: String = "2024-01-31 10:30:00", aligned: Bool = false) throws -> (Int64, Int64) {
        let window = try BudgetPeriod(parsing: period).window(containing: Self.date(now), anchor: Self.date(anchor), calendarAligned: aligned)
        return (window.start, window.end)
    }

    @Test func parsesEveryUnit() throws {
        let cases: [(String, BudgetPeriod)] = [
            ("1m", .minutes(1)), ("90m", .minutes(90)), ("2h", .hours(2)), ("1d", .days(1)), ("7D", .days(7)), ("1w", .weeks(1)),
            ("1M", .months(1)), ("3mo", .months(3)), ("1Q", .quarters(1)), ("1Y", .years(1)), ("2y", .years(2)),
        ]
        for (text, period) in cases { #expect(try BudgetPeriod(parsing: text) == period, "\(text)") }
        #expect(BudgetPeriod.months(1).description == "1M" && BudgetPeriod.minutes(5).description == "5m")
    }

    @Test func refusesWhatIsNotAPeriod() {
        for text in ["", "m", "0d", "-1d", "1", "1x", "1 d", "d1", "1.5h", "1MM", "1mon", "99999999d", "1Md"] {
            #expect(throws: BudgetPeriodError.self, "\(text)") { try BudgetPeriod(parsing: text) }
        }
        let message = (try? BudgetPeriod(parsing: "5x")).map { _ in "" } ?? "\(BudgetPeriodError(text: "5x"))"
        #expect(message.contains("'5x'") && message.contains("1M"))
    }

    @Test func rollingWindowsCountFromTheAnchorWithoutDrift() throws {
        #expect(try window("1h", "2024-01-31 12:45:00") == (Self.utc("2024-01-31 12:30:00"), Self.utc("2024-01-31 13:30:00")))
        // Thousands of windows later a rolling day still starts at the anchor's time of day.
        #expect(try window("1d", "2030-06-15 10:29:59") == (Self.utc("2030-06-14 10:30:00"), Self.utc("2030-06-15 10:30:00")))
        #expect(try window("1d", "2030-06-15 10:30:00") == (Self.utc("2030-06-15 10:30:00"), Self.utc("2030-06-16 10:30:00")))
        // 2024-01-31 was a Wednesday: rolling weeks run Wednesday to Wednesday.
        #expect(try window("1w", "2024-02-12 00:00:00") == (Self.utc("2024-02-07 10:30:00"), Self.utc("2024-02-14 10:30:00")))
        // Before the anchor (a clock behind): still the window that holds now.
        #expect(try window("1d", "2024-01-30 11:00:00") == (Self.utc("2024-01-30 10:30:00"), Self.utc("2024-01-31 10:30:00")))
    }

    @Test func rollingMonthsKeepTheAnchorDayWhereTheMonthHasIt() throws {
        // From Jan 31: Feb 29 (2024 is a leap year), then Mar 31 again, not Mar 29: windows are computed from the
        // anchor, never added to the previous window.
        #expect(try window("1M", "2024-02-15 00:00:00") == (Self.utc("2024-01-31 10:30:00"), Self.utc("2024-02-29 10:30:00")))
        #expect(try window("1M", "2024-03-01 00:00:00") == (Self.utc("2024-02-29 10:30:00"), Self.utc("2024-03-31 10:30:00")))
        #expect(try window("1M", "2024-04-30 10:30:00") == (Self.utc("2024-04-30 10:30:00"), Self.utc("2024-05-31 10:30:00")))
        #expect(try window("1M", "2025-02-28 10:29:59") == (Self.utc("2025-01-31 10:30:00"), Self.utc("2025-02-28 10:30:00")))
        #expect(try window("1Q", "2024-05-01 00:00:00") == (Self.utc("2024-04-30 10:30:00"), Self.utc("2024-07-31 10:30:00")))
        #expect(try window("1Y", "2027-01-31 10:30:00") == (Self.utc("2027-01-31 10:30:00"), Self.utc("2028-01-31 10:30:00")))
        #expect(
            try window("1Y", "2025-03-01 00:00:00", anchor: "2024-02-29 00:00:00")
                == (Self.utc("2025-02-28 00:00:00"), Self.utc("2026-02-28 00:00:00")))
    }

    @Test func alignedWindowsStartAtUTCCalendarBoundaries() throws {
        #expect(try window("1d", "2024-03-05 17:00:00", aligned: true) == (Self.utc("2024-03-05 00:00:00"), Self.utc("2024-03-06 00:00:00")))
        // 2024-03-07 is a Thursday; aligned weeks start on Monday.
        #expect(try window("1w", "2024-03-07 17:00:00", aligned: true) == (Self.utc("2024-03-04 00:00:00"), Self.utc("2024-03-11 00:00:00")))
        #expect(try window("1w", "2024-03-04 00:00:00", aligned: true) == (Self.utc("2024-03-04 00:00:00"), Self.utc("2024-03-11 00:00:00")))
        #expect(try window("1w", "2024-03-03 23:59:59", aligned: true) == (Self.utc("2024-02-26 00:00:00"), Self.utc("2024-03-04 00:00:00")))
        #expect(try window("1M", "2024-02-29 23:59:59", aligned: true) == (Self.utc("2024-02-01 00:00:00"), Self.utc("2024-03-01 00:00:00")))
        #expect(try window("1M", "2024-12-31 12:00:00", aligned: true) == (Self.utc("2024-12-01 00:00:00"), Self.utc("2025-01-01 00:00:00")))
        #expect(try window("1Q", "2024-05-20 12:00:00", aligned: true) == (Self.utc("2024-04-01 00:00:00"), Self.utc("2024-07-01 00:00:00")))
        #expect(try window("1Q", "2024-12-31 23:59:59", aligned: true) == (Self.utc("2024-10-01 00:00:00"), Self.utc("2025-01-01 00:00:00")))
        #expect(try window("3M", "2024-01-01 00:00:00", aligned: true) == (Self.utc("2024-01-01 00:00:00"), Self.utc("2024-04-01 00:00:00")))
        #expect(try window("1Y", "2024-07-04 12:00:00", aligned: true) == (Self.utc("2024-01-01 00:00:00"), Self.utc("2025-01-01 00:00:00")))
        // Minutes and hours keep rolling from the anchor even when aligned.
        #expect(try window("1h", "2024-01-31 12:45:00", aligned: true) == (Self.utc("2024-01-31 12:30:00"), Self.utc("2024-01-31 13:30:00")))
    }

    @Test func everyWindowHoldsItsMomentAndTheNextStartsWhereItEnds() throws {
        var generator = SystemRandomNumberGenerator()
        let periods = ["7m", "5h", "1d", "3d", "1w", "2w", "1M", "5M", "1Q", "1Y"]
        for _ in 0..<400 {
            let now = Date(timeIntervalSince1970: TimeInterval(Int64.random(in: 0...4_000_000_000, using: &generator)))
            let anchor = Date(timeIntervalSince1970: TimeInterval(Int64.random(in: 0...4_000_000_000, using: &generator)))
            let period = try BudgetPeriod(parsing: periods.randomElement(using: &generator)!)
            for aligned in [false, true] {
                let window = period.window(containing: now, anchor: anchor, calendarAligned: aligned)
                let seconds = Int64(now.timeIntervalSince1970)
                #expect(window.start <= seconds && seconds < window.end, "\(period) \(now) \(anchor) \(aligned)")
                let next = period.window(containing: Date(timeIntervalSince1970: TimeInterval(window.end)), anchor: anchor, calendarAligned: aligned)
                #expect(next.start == window.end, "\(period) \(now) \(anchor) \(aligned)")
            }
        }
    }
}
