import Foundation
import GRDB

public struct SQLiteSpendStore: SpendStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    public func reserve(
        id: String, keyId: String, amountNanos: Int64, budgets: [BudgetWindow], expiresAt: Date, now: Date
    ) async throws -> BudgetReservation {
        guard !budgets.isEmpty else { return .reserved }
        let hold = BudgetHold(id: id, amountNanos: amountNanos, budgets: budgets, expiresAt: expiresAt)
        return try await pool.write { db in
            try Self.release(db, reservationId: id)
            var outcome = BudgetReservation.reserved
            try Self.retryingLapsed(db, keyId: keyId, now: now) {
                try db.inSavepoint {
                    outcome = try Self.hold(db, keyId: keyId, hold, now: now)
                    return outcome == .reserved ? .commit : .rollback
                }
                return outcome == .reserved
            }
            return outcome
        }
    }

    public func settle(_ settlements: [BudgetSettlement]) async throws {
        guard !settlements.isEmpty else { return }
        try await pool.write { db in try Self.settle(db, settlements) }
    }

    public func releaseExpired(now: Date) async throws -> Int {
        try await pool.write { db in try Self.releaseExpired(db, now: now) }
    }

    public func usage(keyId: String, budgets: [BudgetWindow], now: Date) async throws -> [BudgetUsage] {
        try await pool.read { db in
            try budgets.map { try Self.usage(db, keyId: keyId, $0, now: now) }
        }
    }

    // MARK: - Inside a transaction (shared with the ledger)

    /// Holds `hold.amountNanos` on each budget that can cover it, stopping at the first that cannot. The caller
    /// runs this in a savepoint and rolls it back unless it answers `.reserved`.
    ///
    /// One upsert per budget creates the budget's row, restarts a window that is older than the hold's (spend back to
    /// zero; a newer stored window is kept, whichever gateway's clock is behind), and adds the hold, all only when
    /// `spent + reserved + amount <= limit` in the window that results.
    /// `adding` grows an existing hold of the same id (an allowance) instead of taking a new one.
    static func hold(_ db: Database, keyId: String, _ hold: BudgetHold, now: Date, adding: Bool = false) throws -> BudgetReservation {
        let amount = bounded(hold.amountNanos)
        for budget in hold.budgets {
            let limit = bounded(budget.limitNanos)
            // A new row takes the amount without the upsert's condition, so that case is decided here.
            if amount > limit { return .exhausted(try usage(db, keyId: keyId, budget, now: now)) }
            try db.executeCached(
                sql: """
                    INSERT INTO budget_windows (keyId, budgetId, windowStart, limitNanos, spentNanos, reservedNanos)
                    VALUES (?, ?, ?, ?, 0, ?)
                    ON CONFLICT (keyId, budgetId) DO UPDATE SET
                        reservedNanos = budget_windows.reservedNanos + excluded.reservedNanos,
                        limitNanos = excluded.limitNanos,
                        spentNanos = CASE WHEN budget_windows.windowStart < excluded.windowStart THEN 0 ELSE budget_windows.spentNanos END,
                        windowStart = CASE WHEN budget_windows.windowStart < excluded.windowStart
                            THEN excluded.windowStart ELSE budget_windows.windowStart END
                    WHERE (CASE WHEN budget_windows.windowStart < excluded.windowStart THEN 0 ELSE budget_windows.spentNanos END)
                        + budget_windows.reservedNanos + excluded.reservedNanos <= excluded.limitNanos
                    """,
                arguments: [keyId, budget.budgetId, budget.start, limit, amount])
            guard db.changesCount == 1 else { return .exhausted(try usage(db, keyId: keyId, budget, now: now)) }
            try db.executeCached(
                sql: adding
                    ? """
                    INSERT INTO budget_reservations (id, keyId, budgetId, amountNanos, expiresAt) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id, budgetId) DO UPDATE SET
                        amountNanos = budget_reservations.amountNanos + excluded.amountNanos, expiresAt = excluded.expiresAt
                    """
                    : "INSERT INTO budget_reservations (id, keyId, budgetId, amountNanos, expiresAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [hold.id, keyId, budget.budgetId, amount, hold.expiresAt.timeIntervalSince1970])
        }
        return .reserved
    }

    /// Releases each settlement's hold and adds its cost to its budgets' windows (one upsert per budget, restarting
    /// an older window as `hold` does). A reservation that already lapsed is gone; its cost is still charged.
    static func settle(_ db: Database, _ settlements: [BudgetSettlement]) throws {
        for settlement in settlements {
            if let id = settlement.reservationId { try release(db, reservationId: id) }
            let cost = bounded(settlement.costNanos)
            guard cost > 0 else { continue }
            for budget in settlement.budgets { try addSpend(db, keyId: settlement.keyId, budget, costNanos: cost) }
        }
    }

    /// Adds `costNanos` to the budget's spend in `budget`'s window (one upsert that restarts an older window as `hold`
    /// does) and takes `releasing` off its holds in the same statement.
    static func addSpend(_ db: Database, keyId: String, _ budget: BudgetWindow, costNanos: Int64, releasing: Int64 = 0) throws {
        try db.executeCached(
            sql: """
                INSERT INTO budget_windows (keyId, budgetId, windowStart, limitNanos, spentNanos, reservedNanos)
                VALUES (?, ?, ?, ?, ?, 0)
                ON CONFLICT (keyId, budgetId) DO UPDATE SET
                    spentNanos = CASE WHEN budget_windows.windowStart < excluded.windowStart
                        THEN excluded.spentNanos ELSE budget_windows.spentNanos + excluded.spentNanos END,
                    windowStart = CASE WHEN budget_windows.windowStart < excluded.windowStart
                        THEN excluded.windowStart ELSE budget_windows.windowStart END,
                    reservedNanos = budget_windows.reservedNanos - ?
                """,
            arguments: [keyId, budget.budgetId, budget.start, bounded(budget.limitNanos), costNanos, releasing])
    }

    /// Runs `attempt`; when it refuses and the key had holds that lapsed by `now` (a crashed gateway's), releases
    /// them and runs it once more. Checking lapsed holds only on a refusal keeps them off the admitted path.
    static func retryingLapsed(_ db: Database, keyId: String, now: Date, _ attempt: () throws -> Bool) throws {
        guard try !attempt(), try releaseLapsed(db, keyId: keyId, now: now) else { return }
        _ = try attempt()
    }

    /// Releases the key's holds that lapsed by `now`; whether there were any.
    static func releaseLapsed(_ db: Database, keyId: String, now: Date) throws -> Bool {
        let lapsed = try Row.fetchAll(
            db.cachedStatement(sql: "DELETE FROM budget_reservations WHERE keyId = ? AND expiresAt <= ? RETURNING keyId, budgetId, amountNanos"),
            arguments: [keyId, now.timeIntervalSince1970])
        try unhold(db, lapsed)
        return !lapsed.isEmpty
    }

    static func releaseExpired(_ db: Database, now: Date) throws -> Int {
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "DELETE FROM budget_reservations WHERE expiresAt <= ? RETURNING id, keyId, budgetId, amountNanos"),
            arguments: [now.timeIntervalSince1970])
        try unhold(db, rows)
        return Set(rows.map { $0["id"] as String }).count
    }

    /// Undoes the hold of one reservation, if it is still there.
    static func release(_ db: Database, reservationId: String) throws {
        try unhold(db, try Row.fetchAll(
            db.cachedStatement(sql: "DELETE FROM budget_reservations WHERE id = ? RETURNING keyId, budgetId, amountNanos"), arguments: [reservationId]))
    }

    /// Takes deleted reservation rows off their budgets' `reservedNanos`: a row deleted here was deleted by no one
    /// else, so no hold is undone twice.
    static func unhold(_ db: Database, _ rows: [Row]) throws {
        guard !rows.isEmpty else { return }
        var held: [BudgetKey: Int64] = [:]
        for row in rows { held[BudgetKey(keyId: row["keyId"], budgetId: row["budgetId"]), default: 0] += row["amountNanos"] as Int64 }
        for (budget, amount) in held {
            try db.executeCached(
                sql: "UPDATE budget_windows SET reservedNanos = reservedNanos - ? WHERE keyId = ? AND budgetId = ?",
                arguments: [amount, budget.keyId, budget.budgetId])
        }
    }

    static func usage(_ db: Database, keyId: String, _ budget: BudgetWindow, now: Date) throws -> BudgetUsage {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT windowStart, spentNanos FROM budget_windows WHERE keyId = ? AND budgetId = ?"),
            arguments: [keyId, budget.budgetId])
        // A row still in an earlier window has spent nothing in this one yet.
        let spent: Int64 = row.map { ($0["windowStart"] as Int64) >= budget.start ? $0["spentNanos"] : 0 } ?? 0
        let reserved =
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT COALESCE(SUM(amountNanos), 0) FROM budget_reservations WHERE keyId = ? AND budgetId = ? AND expiresAt > ?"),
                arguments: [keyId, budget.budgetId, now.timeIntervalSince1970]) ?? 0
        return BudgetUsage(
            budgetId: budget.budgetId, limitNanos: budget.limitNanos, spentNanos: spent, reservedNanos: reserved,
            windowStart: budget.start, windowEnd: budget.end)
    }

    static func bounded(_ nanos: Int64) -> Int64 { min(max(0, nanos), maxAmountNanos) }

    struct BudgetKey: Hashable {
        var keyId: String
        var budgetId: String
    }
}
