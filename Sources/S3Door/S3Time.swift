#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The two date forms S3 uses: ISO 8601 with milliseconds in XML, RFC 1123 in `Last-Modified`.
public enum S3Time {
    public static func iso8601(_ date: Date) -> String {
        let (t, millis) = parts(date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(t.tm_year) + 1900, Int(t.tm_mon) + 1, Int(t.tm_mday),
            Int(t.tm_hour), Int(t.tm_min), Int(t.tm_sec), millis)
    }

    public static func rfc1123(_ date: Date) -> String {
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let (t, _) = parts(date)
        let day = String(format: "%02d", Int(t.tm_mday))
        let time = String(format: "%04d %02d:%02d:%02d", Int(t.tm_year) + 1900, Int(t.tm_hour), Int(t.tm_min), Int(t.tm_sec))
        return "\(days[Int(t.tm_wday)]), \(day) \(months[Int(t.tm_mon)]) \(time) GMT"
    }

    private static func parts(_ date: Date) -> (tm, Int) {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = Int(((interval - interval.rounded(.down)) * 1000).rounded(.down))
        var t = tm()
        gmtime_r(&seconds, &t)
        return (t, min(999, max(0, millis)))
    }
}
