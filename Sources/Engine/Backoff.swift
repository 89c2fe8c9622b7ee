enum Backoff {
    /// Exponential with full jitter, so that many callers retrying at once spread out.
    static func delay(attempt: Int, baseMs: Int) -> Duration {
        let ceiling = Double(baseMs) * Double(1 << min(attempt - 1, 10))
        return .milliseconds(Int64(ceiling / 2 + Double.random(in: 0...(ceiling / 2))))
    }
}
