/// What a virtual key's policy says about the answer cache (kept in the key's stored policy document).
public struct CachePolicy: Sendable, Codable, Hashable {
    /// Nil: the configuration decides (`cache.enabled`, per model).
    public var enabled: Bool?
    /// Whose entries the key reads and writes: `private` (the default: its own), `group:<name>` (every key naming
    /// that group) or `global`. No value reaches another key's private entries.
    public var scope: String?
    /// The per-request controls the key's callers may use (`off`, `no-store`, `ttl`, `type`, `threshold`, `key`);
    /// nil: all of them. A control outside the list refuses the call.
    public var allowedControls: [String]?
    /// Answers that stop to call a tool are stored too (off by default: a tool call usually acts on fresh state).
    public var cacheToolUse: Bool?

    public init(enabled: Bool? = nil, scope: String? = nil, allowedControls: [String]? = nil, cacheToolUse: Bool? = nil) {
        self.enabled = enabled
        self.scope = scope
        self.allowedControls = allowedControls
        self.cacheToolUse = cacheToolUse
    }

    public static let controls = ["off", "no-store", "ttl", "type", "threshold", "key"]

    /// Nil when `scope` is one the cache knows; otherwise what is wrong with it.
    public static func problem(scope: String) -> String? {
        if scope == "private" || scope == "global" { return nil }
        if scope.hasPrefix("group:"), scope.count > 6, scope.count <= 128 { return nil }
        return "expected private, global or group:<name>"
    }
}
