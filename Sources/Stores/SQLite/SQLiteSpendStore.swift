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
        let amount = Self.bounded(amountNanos)
        return try await pool.write { db in
            // Outside the savepoint: what lapsed stays released even when this call is refused.
            try Self.unhold(db, try Row.fetchAll(
                db.cachedStatement(sql: "DELETE FROM budget_reservations WHERE keyId = ? AND expiresAt <= ? RETURNING keyId, budgetId, amountNanos"),
                arguments: [keyId, now.timeIntervalSince1970]))
            try Self.release(db, reservationId: id)
            var outcome = BudgetReservation.reserved
            try db.inSavepoint {
                for budget in budgets {
                    let limit = Self.bounded(budget.limitNanos)
                    try Self.open(db, keyId: keyId, budget)
                    try db.executeCached(
                        sql: """
                            UPDATE budget_windows SET reservedNanos = reservedNanos + ?, limitNanos = ?
                            WHERE keyId = ? AND budgetId = ? AND spentNanos + reservedNanos + ? <= ?
                            """,
                        arguments: [amount, limit, keyId, budget.budgetId, amount, limit])
                    guard db.changesCount == 1 else {
                        outcome = .exhausted(try Self.usage(db, keyId: keyId, budget, now: now))
                        return .rollback
                    }
                    try db.executeCached(
                        sql: "INSERT INTO budget_reservations (id, keyId, budgetId, amountNanos, expiresAt) VALUES (?, ?, ?, ?, ?)",
                        arguments: [id, keyId, budget.budgetId, amount, expiresAt.timeIntervalSince1970])
                }
                return .commit
            }
            return outcome
        }
    }

    public func settle(_ settlements: [BudgetSettlement]) async throws {
        guard !settlements.isEmpty else { return }
        try await pool.write { db in
            for settlement in settlements {
                if let id = settlement.reservationId { try Self.release(db, reservationId: id) }
                let cost = Self.bounded(settlement.costNanos)
                guard cost > 0 else { continue }
                for budget in settlement.budgets {
                    try Self.open(db, keyId: settlement.keyId, budget)
                    try db.executeCached(
                        sql: "UPDATE budget_windows SET spentNanos = spentNanos + ? WHERE keyId = ? AND budgetId = ?",
                        arguments: [cost, settlement.keyId, budget.budgetId])
                }
            }
        }
    }

    public func releaseExpired(now: Date) async throws -> Int {
        try await pool.write { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "DELETE FROM budget_reservations WHERE expiresAt <= ? RETURNING id, keyId, budgetId, amountNanos"),
                arguments: [now.timeIntervalSince1970])
            try Self.unhold(db, rows)
            return Set(rows.map { $0["id"] as String }).count
        }
    }

    public func usage(keyId: String, budgets: [BudgetWindow], now: Date) async throws -> [BudgetUsage] {
        try await pool.read { db in
            try budgets.map { try Self.usage(db, keyId: keyId, $0, now: now) }
        }
    }

    // MARK: - Statements

    /// The budget's row in `budget`'s window: created on first use, restarted (spend back to zero) when the
    /// stored window is older. A newer stored window is kept: windows never move back, whichever gateway's clock
    /// is behind.
    static func open(_ db: Database, keyId: String, _ budget: BudgetWindow) throws {
        try db.executeCached(
            sql: """
                INSERT INTO budget_windows (keyId, budgetId, windowStart, limitNanos, spentNanos, reservedNanos)
                VALUES (?, ?, ?, ?, 0, 0) ON CONFLICT (keyId, budgetId) DO NOTHING
                """,
            arguments: [keyId, budget.budgetId, budget.start, bounded(budget.limitNanos)])
        try db.executeCached(
            sql: "UPDATE budget_windows SET windowStart = ?, spentNanos = 0 WHERE keyId = ? AND budgetId = ? AND windowStart < ?",
            arguments: [budget.start, keyId, budget.budgetId, budget.start])
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
