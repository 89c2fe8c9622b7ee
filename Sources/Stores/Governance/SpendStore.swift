import Foundation

/// One budget of a key in the window that holds a given moment, as the caller computed it from the budget's period
/// (the store knows no calendars). Times are whole seconds since 1970, UTC.
public struct BudgetWindow: Sendable, Hashable {
    public var budgetId: String
    public var limitNanos: Int64
    public var start: Int64
    public var end: Int64

    public init(budgetId: String, limitNanos: Int64, start: Int64, end: Int64) {
        self.budgetId = budgetId
        self.limitNanos = limitNanos
        self.start = start
        self.end = end
    }
}

/// A budget's state in its current window: what the admin API shows and what a refusal reports.
public struct BudgetUsage: Sendable, Hashable {
    public var budgetId: String
    public var limitNanos: Int64
    /// Settled spend in this window.
    public var spentNanos: Int64
    /// Held by calls still running (their worst case).
    public var reservedNanos: Int64
    public var windowStart: Int64
    public var windowEnd: Int64

    public init(budgetId: String, limitNanos: Int64, spentNanos: Int64, reservedNanos: Int64, windowStart: Int64, windowEnd: Int64) {
        self.budgetId = budgetId
        self.limitNanos = limitNanos
        self.spentNanos = spentNanos
        self.reservedNanos = reservedNanos
        self.windowStart = windowStart
        self.windowEnd = windowEnd
    }

    public var remainingNanos: Int64 { max(0, limitNanos - spentNanos - reservedNanos) }
}

public enum BudgetReservation: Sendable, Hashable {
    case reserved
    /// Nothing was held: this budget (the first that could not cover the amount) refused.
    case exhausted(BudgetUsage)
}

/// The end of a call that a budget may have held for: its hold (if any is left) is released and what it really
/// cost is added to every budget's current window.
public struct BudgetSettlement: Sendable, Hashable {
    /// The reservation to release; nil for a charge nothing held for (a native batch record reported afterwards).
    public var reservationId: String?
    public var keyId: String
    public var costNanos: Int64
    /// The key's budgets in the windows that hold the settlement's moment.
    public var budgets: [BudgetWindow]

    public init(reservationId: String?, keyId: String, costNanos: Int64, budgets: [BudgetWindow]) {
        self.reservationId = reservationId
        self.keyId = keyId
        self.costNanos = costNanos
        self.budgets = budgets
    }
}

/// Where budgets count, in exact nano-dollars. Admission holds a call's worst case on all of a key's budgets or on
/// none, in one transaction with the check, so concurrent calls (on one gateway or several sharing the database)
/// can never together pass a limit. A hold carries an expiry so a crashed gateway's holds lapse. Implementations
/// keep no state in memory: SQLite here, PostgreSQL mirroring the same conditional updates.
///
/// A window that has ended restarts when it is next touched: its spend goes back to zero, its holds stay (they
/// belong to calls still running, which settle into the window they end in). Windows only move forward.
public protocol SpendStore: Sendable {
    /// Holds `amountNanos` under `id` on every budget in `budgets`, when each can cover it
    /// (`spent + reserved + amount <= limit`); otherwise holds nothing. Holds of the key that expired by `now` never
    /// cause a refusal (they are released when they would); an earlier hold under the same `id` is replaced.
    func reserve(id: String, keyId: String, amountNanos: Int64, budgets: [BudgetWindow], expiresAt: Date, now: Date) async throws
        -> BudgetReservation

    /// Applies settlements in one transaction. A reservation that already lapsed is gone; its cost is still charged.
    func settle(_ settlements: [BudgetSettlement]) async throws

    /// Releases every hold that expired by `now` (a crashed gateway's); returns how many were released.
    func releaseExpired(now: Date) async throws -> Int

    /// The budgets' current state; holds that expired by `now` no longer count.
    func usage(keyId: String, budgets: [BudgetWindow], now: Date) async throws -> [BudgetUsage]
}

extension SpendStore {
    /// The largest amount a store takes: sums of a few of these stay exact in 64 bits (SQLite turns an integer
    /// overflow into a float, which would no longer be exact). About 2.3 billion USD.
    public static var maxAmountNanos: Int64 { 1 << 61 }
}
