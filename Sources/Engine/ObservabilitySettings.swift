/// `logging:` — the request log and what it may keep.
public struct LoggingSettings: Sendable, Hashable {
    /// One row per client request in the data dir's SQLite database.
    public var enabled = true
    /// Messages and answers are stored only when this is on (truncated, credentials redacted).
    public var content = false
    public var contentMaxBytes = 8192
    /// Rows older than this are deleted by a background sweep; nil keeps them for ever.
    public var retentionDays: Int? = 30
    /// Records the write queue holds before it drops (and counts) new ones.
    public var queueCapacity = 10_000
    public var batchSize = 500
    /// A `kill -9` loses at most the rows of the last interval.
    public var flushIntervalMs = 1000

    public init() {}
}

/// `pricing:` — per-model overrides of the shipped price table.
public struct PricingSettings: Sendable, Hashable {
    /// `provider/model` → price field (`input`, `output`, `cache_read`, …) → USD per million tokens as decimal text.
    public var models: [String: [String: String]] = [:]

    public init() {}
}
