import Foundation
import SwitchyardModel

/// A virtual key as stored: a pair of AWS-shaped credentials a caller signs with, and the rules its calls obey.
/// The secret is kept sealed (AES-GCM under the gateway's master key): SigV4 verification needs it in the clear,
/// so it cannot be only hashed, but the database file alone must not give it away.
public struct VirtualKeyRecord: Sendable, Equatable {
    /// Stable id (a UUID): the owner of files and batch jobs, the request log's caller.
    public var id: String
    /// Unique, chosen by the operator.
    public var name: String
    /// Public and unique; `SWYD` and 16 characters of `[A-Z2-7]`, like an AWS access key id.
    public var accessKeyId: String
    public var sealedSecret: [UInt8]
    public var active: Bool
    public var expiresAt: Date?
    public var policy: VirtualKeyPolicy
    public var metadata: [String: String]
    /// `config` keys are declared in the configuration file and re-synchronised from it at every start.
    public var source: Source
    public var createdAt: Date
    public var updatedAt: Date
    public var lastUsedAt: Date?

    public enum Source: String, Sendable, Codable {
        case api
        case config
    }

    public init(
        id: String, name: String, accessKeyId: String, sealedSecret: [UInt8], active: Bool = true, expiresAt: Date? = nil,
        policy: VirtualKeyPolicy = VirtualKeyPolicy(), metadata: [String: String] = [:], source: Source = .api,
        createdAt: Date, updatedAt: Date? = nil, lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.accessKeyId = accessKeyId
        self.sealedSecret = sealedSecret
        self.active = active
        self.expiresAt = expiresAt
        self.policy = policy
        self.metadata = metadata
        self.source = source
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.lastUsedAt = lastUsedAt
    }

    public func isUsable(at now: Date) -> Bool {
        active && (expiresAt.map { now < $0 } ?? true)
    }
}

/// What a key's calls may do: stored as one JSON document, so adding a rule needs no migration.
public struct VirtualKeyPolicy: Sendable, Codable, Equatable {
    /// Empty: every provider.
    public var allowedProviders: [String]
    /// Exact names, globs with `*`, or `regex:<pattern>`; empty: every model (see Engine's `ModelAccess`).
    public var allowedModels: [String]
    /// Provider key names (`keys[].name`) the key's calls must use.
    public var pinnedKeys: [String]
    public var budgets: [BudgetRule]
    public var rateLimit: RateLimitRule?
    /// Absent in documents written before the cache existed.
    public var cache: CachePolicy?

    public init(
        allowedProviders: [String] = [], allowedModels: [String] = [], pinnedKeys: [String] = [], budgets: [BudgetRule] = [],
        rateLimit: RateLimitRule? = nil, cache: CachePolicy? = nil
    ) {
        self.allowedProviders = allowedProviders
        self.allowedModels = allowedModels
        self.pinnedKeys = pinnedKeys
        self.budgets = budgets
        self.rateLimit = rateLimit
        self.cache = cache
    }
}

/// A spending limit in USD over a reset period.
public struct BudgetRule: Sendable, Codable, Equatable {
    /// Stable within its key, so spend survives edits of the other budgets.
    public var id: String
    /// The limit in nano-dollars (exact; 1 USD = 1_000_000_000).
    public var limitNanos: Int64
    /// `Nm`, `Nh`, `Nd`, `Nw`, `NM` (or `Nmo`), `NQ`, `NY`: minute, hour, day, week, month, quarter, year.
    public var period: String
    /// Windows of a day or longer start at UTC calendar boundaries (midnight, Monday, the 1st, quarter, Jan 1).
    public var calendarAligned: Bool

    public init(id: String, limitNanos: Int64, period: String, calendarAligned: Bool = false) {
        self.id = id
        self.limitNanos = limitNanos
        self.period = period
        self.calendarAligned = calendarAligned
    }
}

/// Per-key rate limits over fixed windows, plus a cap on calls in flight.
public struct RateLimitRule: Sendable, Codable, Equatable {
    public var requests: Int?
    /// Input plus output tokens.
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
