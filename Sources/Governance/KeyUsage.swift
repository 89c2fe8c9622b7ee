import Foundation
import Stores
import SwitchyardModel

/// What a key has used of its budgets and rate limits, as the admin API and `switchyard keys show` report it.
/// `StoreKeyUsage` answers it from the budget store and the request log.
public protocol KeyUsageSource: Sendable {
    func usage(of key: VirtualKeyRecord, now: Date) async throws -> KeyUsage
}

public struct KeyUsage: Sendable, Equatable {
    /// In the order of the key's budgets.
    public var budgets: [KeyBudgetUsage]
    /// Nil when the key has no rate limit.
    public var rateLimit: KeyRateLimitUsage?
    /// Where the numbers come from (`request_log`: ended calls, written a moment after they end; the budget
    /// store's numbers include reservations of calls in flight).
    public var source: String

    public init(budgets: [KeyBudgetUsage], rateLimit: KeyRateLimitUsage?, source: String) {
        self.budgets = budgets
        self.rateLimit = rateLimit
        self.source = source
    }
}

public struct KeyBudgetUsage: Sendable, Equatable {
    public var id: String
    public var limit: USDAmount
    public var spent: USDAmount
    /// Held by calls in flight.
    public var reserved: USDAmount
    public var window: DateInterval

    public init(id: String, limit: USDAmount, spent: USDAmount, reserved: USDAmount = .zero, window: DateInterval) {
        self.id = id
        self.limit = limit
        self.spent = spent
        self.reserved = reserved
        self.window = window
    }

    /// Never below zero: an overspent budget (a call that cost more than it reserved) has nothing left.
    public var remaining: USDAmount { USDAmount(nanos: max(0, limit.nanos - spent.nanos - reserved.nanos)) }
}

public struct KeyRateLimitUsage: Sendable, Equatable {
    public var window: DateInterval
    public var requests: Int
    /// Input plus output tokens.
    public var tokens: Int
    /// Nil when the source cannot know (the request log holds only ended calls).
    public var inFlight: Int?

    public init(window: DateInterval, requests: Int, tokens: Int, inFlight: Int? = nil) {
        self.window = window
        self.requests = requests
        self.tokens = tokens
        self.inFlight = inFlight
    }
}
