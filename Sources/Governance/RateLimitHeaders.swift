import Engine
import Stores

/// OpenAI's rate-limit headers (`x-ratelimit-limit-requests`, `-remaining-requests`, `-reset-requests` and the
/// `-tokens` variants), so clients and dashboards built for them read a key's state on every answer. Resets are
/// durations in Go's form, as OpenAI writes them: `12ms`, `6s`, `1m30s`, `1h0m0s`.
enum RateLimitHeaders {
    static func headers(_ rule: RateLimitRule, _ state: RateLimitState, now: Double) -> [AnswerHeader] {
        var headers: [AnswerHeader] = []
        let reset = duration(seconds: Double(state.windowEnd) - now)
        if let limit = rule.requests {
            headers.append(AnswerHeader("x-ratelimit-limit-requests", String(limit)))
            headers.append(AnswerHeader("x-ratelimit-remaining-requests", String(max(0, limit - state.requestsUsed))))
            headers.append(AnswerHeader("x-ratelimit-reset-requests", reset))
        }
        if let limit = rule.tokens {
            headers.append(AnswerHeader("x-ratelimit-limit-tokens", String(limit)))
            headers.append(AnswerHeader("x-ratelimit-remaining-tokens", String(max(0, limit - state.tokensUsed))))
            headers.append(AnswerHeader("x-ratelimit-reset-tokens", reset))
        }
        return headers
    }

    /// Rounded up to the millisecond, so a client that waits this long finds the window reset.
    static func duration(seconds: Double) -> String {
        let millis = max(0, Int((seconds * 1000).rounded(.up)))
        if millis < 1000 { return "\(millis)ms" }
        let hours = millis / 3_600_000
        let minutes = millis / 60_000 % 60
        let wholeSeconds = millis / 1000 % 60
        let fraction = millis % 1000
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if hours > 0 || minutes > 0 { text += "\(minutes)m" }
        text += "\(wholeSeconds)"
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 3 - digits.count) + digits
            while digits.last == "0" { digits.removeLast() }
            text += "." + digits
        }
        return text + "s"
    }
}
