import Foundation
import SwitchyardModel

/// `governance:` in the configuration: who may call, and with what.
public struct GovernanceSettings: Sendable, Equatable {
    /// Every call at `/bedrock` and `/bedrock/files` must present a valid virtual key. Off: calls without one run
    /// as before governance (anonymous), calls with one are governed.
    public var enforce: Bool
    /// Callers may bring their own provider credentials (direct keys) instead of the configured ones.
    public var allowDirectKeys: Bool
    /// Synchronised into the key store at every start; a declared key removed from the file is revoked.
    public var keys: [DeclaredKey]

    public init(enforce: Bool = false, allowDirectKeys: Bool = false, keys: [DeclaredKey] = []) {
        self.enforce = enforce
        self.allowDirectKeys = allowDirectKeys
        self.keys = keys
    }
}
/// A virtual key as the configuration file declares it. The Engine knows no store, so the rules are plain values
/// here; Governance turns them into the stored policy.
public struct DeclaredKey: Sendable, Equatable {
    public var name: String
    public var accessKeyId: String
    /// Resolved from `env.NAME` (or, with a warning, written in the file).
    public var secret: String
    /// The file holds the secret itself rather than `env.NAME`: allowed, and warned about at start.
    public var secretInFile = false
    public var active: Bool = true
    public var expiresAt: Date?
    public var allowedProviders: [String] = []
    public var allowedModels: [String] = []
    public var pinnedKeys: [String] = []
    public var budgets: [Budget] = []
    public var rateLimit: RateLimit?
    public var metadata: [String: String] = [:]
    public var cache: CachePolicy?

    public struct Budget: Sendable, Equatable {
        public var id: String
        public var limitNanos: Int64
        public var period: String
        public var calendarAligned: Bool

        public init(id: String, limitNanos: Int64, period: String, calendarAligned: Bool = false) {
            self.id = id
            self.limitNanos = limitNanos
            self.period = period
            self.calendarAligned = calendarAligned
        }
    }

    public struct RateLimit: Sendable, Equatable {
        public var requests: Int?
        public var tokens: Int?
        public var windowSeconds: Int
        public var maxConcurrent: Int?

        public init(requests: Int? = nil, tokens: Int? = nil, windowSeconds: Int = 60, maxConcurrent: Int? = nil) {
            self.requests = requests
            self.tokens = tokens
            self.windowSeconds = windowSeconds
            self.maxConcurrent = maxConcurrent
        }
    }

    public init(name: String, accessKeyId: String, secret: String) {
        self.name = name
        self.accessKeyId = accessKeyId
        self.secret = secret
    }
}
