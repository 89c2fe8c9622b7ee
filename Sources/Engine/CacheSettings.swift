/// `cache:` in the configuration: the answer cache, off unless enabled globally, per model or per virtual key.
public struct CacheSettings: Sendable, Equatable {
    /// The section is present: the cache exists (and says `off` on calls it does not serve).
    public var configured = false
    public var enabled = false
    /// Seconds an entry lives unless the request asks for less (or more, up to `maxTTLSeconds`).
    public var ttlSeconds: Double = 300
    public var maxTTLSeconds: Double = 3600
    /// Live entries held; the least recently used go first beyond it.
    public var maxEntries = 10_000
    /// All entries' answers together, in bytes of their stored form.
    public var maxBytes = 256 << 20
    /// An answer larger than this is not stored.
    public var maxEntryBytes = 1 << 20
    /// How often expired entries are removed from the store.
    public var sweepIntervalSeconds: Double = 60
    /// Store answers that stop for a tool call (a key's policy may say otherwise).
    public var cacheToolUse = false
    /// Per model: the name as requested (an alias) or `provider/model`.
    public var models: [String: ModelCacheSettings] = [:]
    public var semantic = SemanticCacheSettings()

    public init() {}
}

public struct ModelCacheSettings: Sendable, Equatable {
    public var enabled: Bool?
    public var ttlSeconds: Double?

    public init(enabled: Bool? = nil, ttlSeconds: Double? = nil) {
        self.enabled = enabled
        self.ttlSeconds = ttlSeconds
    }
}

public struct SemanticCacheSettings: Sendable, Equatable {
    public var enabled = false
    /// The embeddings model (any provider's, as a client would name it); its calls are governed and logged.
    public var embeddingModel: String?
    /// The lowest cosine similarity that is a hit; a request may raise it, never lower it.
    public var threshold: Double = 0.95
    /// Conversations with more user turns than this are not looked up by meaning.
    public var maxTurns = 3
    /// The system prompt is embedded with the last user turn.
    public var includeSystem = true

    public init() {}
}
