import Foundation
import NIOHTTP1

/// How long an upstream asks to be left alone: OpenAI's `retry-after-ms` (milliseconds, the more precise one when
/// both are sent), else `Retry-After` as delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
enum RetryAfter {
    static func seconds(in headers: HTTPHeaders, now: Date = Date()) -> Double? {
        if let raw = headers.first(name: "retry-after-ms"), let ms = nonNegative(raw) {
            return ms / 1000
        }
        guard let raw = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return nil
        }
        if let seconds = nonNegative(raw) { return seconds }
        guard let date = httpDate(raw) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    private static func nonNegative(_ raw: String) -> Double? {
        guard let value = Double(raw.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// IMF-fixdate, and the obsolete RFC 850 and asctime forms that recipients must still accept.
    static func httpDate(_ raw: String) -> Date? {
        // asctime pads a one-digit day with a second space.
        let raw = raw.split(separator: " ").joined(separator: " ")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: raw) { return date }
        }
        return nil
    }
}
