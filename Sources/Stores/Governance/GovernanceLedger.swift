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

    /// What a store holds at most (`SpendStore.maxAmountNanos`).
    public static var maxAmountNanos: Int64 { 1 << 61 }
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
    public var charges: [AllowanceCharge]
    public var returns: [AllowanceReturn]
    public var admissions: [LedgerAdmission]
    public var grants: [AllowanceRequest]

    public init(
        settlements: [BudgetSettlement] = [], completions: [RateLimitCompletion] = [], charges: [AllowanceCharge] = [],
        returns: [AllowanceReturn] = [], admissions: [LedgerAdmission] = [], grants: [AllowanceRequest] = []
    ) {
        self.settlements = settlements
        self.completions = completions
        self.charges = charges
        self.returns = returns
        self.admissions = admissions
        self.grants = grants
    }

    public var isEmpty: Bool {
        settlements.isEmpty && completions.isEmpty && charges.isEmpty && returns.isEmpty && admissions.isEmpty && grants.isEmpty
    }

    /// What has to be written even if nothing waits for an answer.
    public var endsOnly: LedgerWrite { LedgerWrite(settlements: settlements, completions: completions, charges: charges, returns: returns) }
}

/// The answers of one write: a decision per admission and a grant per allowance request, in order.
public struct LedgerAnswers: Sendable, Hashable {
    public var decisions: [LedgerDecision]
    public var grants: [AllowanceGrant]

    public init(decisions: [LedgerDecision] = [], grants: [AllowanceGrant] = []) {
        self.decisions = decisions
        self.grants = grants
    }
}

/// The hot path of governance as one store operation. A gateway writes what its calls owe and what its new calls
/// ask in one transaction (group commit): under load, one transaction carries dozens of calls, and the store's one
/// writer is taken once for all of them instead of three times per call. Each admission is still its own
/// all-or-nothing set of conditional updates (`SpendStore`, `RateLimitStore`), applied after the settlements of the
/// same write, so exactness does not depend on batching and several gateways on one database stay exact.
public protocol GovernanceLedger: Sendable {
    /// Applies `write` in one transaction: the ends (settlements, completions, charges, returns) first, then the
    /// admissions and the allowance requests, in order.
    func write(_ write: LedgerWrite) async throws -> LedgerAnswers
    /// Releases holds and leases that lapsed by `now` (a crashed gateway's) and forgets ended rate windows;
    /// returns how many holds and leases were released.
    func sweep(now: Date) async throws -> Int
}

/// A gateway asks its key's budgets and request window for room it then spends in memory, one call after another,
/// without a store write per call (an allowance). The room is a hold like any call's (`id`, one row per budget,
/// with an expiry a crashed gateway's allowance lapses by) and requests counted in the window, so the store's
/// limits still bound every gateway together: an allowance is only ever granted by a conditional update.
public struct AllowanceRequest: Sendable, Hashable {
    public struct Requests: Sendable, Hashable {
        public var windowSeconds: Int
        public var limit: Int
        public var atLeast: Int
        public var atMost: Int

        public init(windowSeconds: Int, limit: Int, atLeast: Int, atMost: Int) {
            self.windowSeconds = windowSeconds
            self.limit = limit
            self.atLeast = atLeast
            self.atMost = atMost
        }
    }

    /// The allowance's hold id: one per gateway and key.
    public var id: String
    public var keyId: String
    /// Room wanted on every budget: granted `min(atMost, room)` when the tightest budget's room is at least `atLeast`.
    public var budgets: [BudgetWindow]
    public var nanosAtLeast: Int64
    public var nanosAtMost: Int64
    public var requests: Requests?
    public var expiresAt: Date
    public var now: Date

    public init(
        id: String, keyId: String, budgets: [BudgetWindow], nanosAtLeast: Int64, nanosAtMost: Int64, requests: Requests?, expiresAt: Date,
        now: Date
    ) {
        self.id = id
        self.keyId = keyId
        self.budgets = budgets
        self.nanosAtLeast = nanosAtLeast
        self.nanosAtMost = nanosAtMost
        self.requests = requests
        self.expiresAt = expiresAt
        self.now = now
    }
}

/// What the store granted. Each part is decided on its own: room granted on the budgets stays granted when the
/// request window refused, and the other way round (the gateway keeps it for the key's next calls).
public struct AllowanceGrant: Sendable, Hashable {
    public var nanos: Int64
    /// The budget that could not give `nanosAtLeast`, when one could not.
    public var exhausted: BudgetUsage?
    public var requests: Int
    /// The window after the grant (or the refusal): `requestsUsed` counts every request granted in it.
    public var window: RateLimitState?
    public var requestsRefused: Bool

    public init(nanos: Int64, exhausted: BudgetUsage?, requests: Int, window: RateLimitState?, requestsRefused: Bool) {
        self.nanos = nanos
        self.exhausted = exhausted
        self.requests = requests
        self.window = window
        self.requestsRefused = requestsRefused
    }
}

/// Calls that ran on an allowance ended: `costNanos` moves from the allowance's hold to the budgets' spend, and
/// the hold's expiry moves on (an allowance in use does not lapse).
public struct AllowanceCharge: Sendable, Hashable {
    public var id: String
    public var keyId: String
    public var costNanos: Int64
    public var budgets: [BudgetWindow]
    public var expiresAt: Date

    public init(id: String, keyId: String, costNanos: Int64, budgets: [BudgetWindow], expiresAt: Date) {
        self.id = id
        self.keyId = keyId
        self.costNanos = costNanos
        self.budgets = budgets
        self.expiresAt = expiresAt
    }
}

/// Room a gateway no longer needs (its key has no call in flight): the budgets' hold shrinks by `nanos`, and the
/// window's count by `requests` if it is still the window they were granted in.
public struct AllowanceReturn: Sendable, Hashable {
    public var id: String
    public var keyId: String
    public var nanos: Int64
    public var budgetIds: [String]
    public var requests: Int
    public var windowSeconds: Int
    public var windowStart: Int64

    public init(id: String, keyId: String, nanos: Int64, budgetIds: [String], requests: Int, windowSeconds: Int, windowStart: Int64) {
        self.id = id
        self.keyId = keyId
        self.nanos = nanos
        self.budgetIds = budgetIds
        self.requests = requests
        self.windowSeconds = windowSeconds
        self.windowStart = windowStart
    }
}
