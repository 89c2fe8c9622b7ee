import Foundation

/// A budget hold one call asks for: its worst case on every budget of its key, or on none.
public struct BudgetHold: Sendable, Hashable {
    /// New for every call: the hold and the concurrency lease of one call share it.
    public var id: String
    public var amountNanos: Int64
    public var budgets: [BudgetWindow]
    public var expiresAt: Date

    public init(id: String, amountNanos: Int64, budgets: [BudgetWindow], expiresAt: Date) {
        self.id = id
        self.amountNanos = amountNanos
        self.budgets = budgets
        self.expiresAt = expiresAt
    }
}

/// Everything one call's admission asks of its key, decided together: counted and held, or nothing changed.
public struct LedgerAdmission: Sendable, Hashable {
    public var keyId: String
    public var rate: RateLimitAdmission?
    public var hold: BudgetHold?
    /// The admitting gateway's clock: holds and leases of the key that lapsed by then do not count.
    public var now: Date

    public init(keyId: String, rate: RateLimitAdmission?, hold: BudgetHold?, now: Date) {
        self.keyId = keyId
        self.rate = rate
        self.hold = hold
        self.now = now
    }
}

public enum LedgerDecision: Sendable, Hashable {
    /// The rate state is there when the admission asked for rate limits.
    case admitted(RateLimitState?)
    case throttled(RateLimitDecision.Limit, RateLimitState)
    case exhausted(BudgetUsage, RateLimitState?)
}

/// One write of a gateway's governance: the ends of calls (settlements and completions), then the admissions that
/// arrived meanwhile, in order.
public struct LedgerWrite: Sendable, Hashable {
    public var settlements: [BudgetSettlement]
    public var completions: [RateLimitCompletion]
    public var admissions: [LedgerAdmission]

    public init(settlements: [BudgetSettlement] = [], completions: [RateLimitCompletion] = [], admissions: [LedgerAdmission] = []) {
        self.settlements = settlements
        self.completions = completions
        self.admissions = admissions
    }

    public var isEmpty: Bool { settlements.isEmpty && completions.isEmpty && admissions.isEmpty }
}

/// The hot path of governance as one store operation. A gateway writes what its calls owe and what its new calls
/// ask in one transaction (group commit): under load, one transaction carries dozens of calls, and the store's one
/// writer is taken once for all of them instead of three times per call. Each admission is still its own
/// all-or-nothing set of conditional updates (`SpendStore`, `RateLimitStore`), applied after the settlements of the
/// same write, so exactness does not depend on batching and several gateways on one database stay exact.
public protocol GovernanceLedger: Sendable {
    /// Applies `write` in one transaction; returns one decision per admission, in order.
    func write(_ write: LedgerWrite) async throws -> [LedgerDecision]
    /// Releases holds and leases that lapsed by `now` (a crashed gateway's) and forgets ended rate windows;
    /// returns how many holds and leases were released.
    func sweep(now: Date) async throws -> Int
}
