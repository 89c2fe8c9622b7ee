import Foundation
import GRDB

/// The ledger over the spend and rate-limit tables: one `pool.write` per `write`, the same conditional statements
/// as `SQLiteSpendStore` and `SQLiteRateLimitStore`, one savepoint per admission.
public struct SQLiteGovernanceLedger: GovernanceLedger {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    public func write(_ write: LedgerWrite) async throws -> LedgerAnswers {
        guard !write.isEmpty else { return LedgerAnswers() }
        return try await pool.write { db in
            try SQLiteSpendStore.settle(db, write.settlements)
            try SQLiteRateLimitStore.complete(db, write.completions)
            for charge in write.charges { try Self.charge(db, charge) }
            for given in write.returns { try Self.giveBack(db, given) }
            return LedgerAnswers(
                decisions: try write.admissions.map { try Self.admit(db, $0) }, grants: try write.grants.map { try Self.grant(db, $0) })
        }
    }

    public func sweep(now: Date) async throws -> Int {
        try await pool.write { db in
            try SQLiteSpendStore.releaseExpired(db, now: now) + SQLiteRateLimitStore.sweep(db, now: now)
        }
    }

    /// Rate limits first (the cheaper refusal), then the hold; a refusal of either rolls back both. A refusal is
    /// retried once after the key's lapsed holds or leases, if it had any, are released.
    static func admit(_ db: Database, _ admission: LedgerAdmission) throws -> LedgerDecision {
        var decision = LedgerDecision.admitted(nil)
        func attempt() throws -> Bool {
            try db.inSavepoint {
                decision = try decide(db, admission)
                guard case .admitted = decision else { return .rollback }
                return .commit
            }
            if case .admitted = decision { return true }
            return false
        }
        guard try !attempt() else { return decision }
        let leases = try admission.rate?.maxConcurrent != nil && SQLiteRateLimitStore.releaseLapsed(db, keyId: admission.keyId, now: admission.now)
        let holds = try admission.hold != nil && SQLiteSpendStore.releaseLapsed(db, keyId: admission.keyId, now: admission.now)
        if leases || holds { _ = try attempt() }
        return decision
    }

    static func decide(_ db: Database, _ admission: LedgerAdmission) throws -> LedgerDecision {
        var state: RateLimitState?
        if let rate = admission.rate {
            switch try SQLiteRateLimitStore.count(db, rate, now: admission.now) {
            case .admitted(let counted): state = counted
            case .refused(let limit, let refused): return .throttled(limit, refused)
            }
        }
        if let hold = admission.hold, !hold.budgets.isEmpty,
            case .exhausted(let usage) = try SQLiteSpendStore.hold(db, keyId: admission.keyId, hold, now: admission.now)
        {
            return .exhausted(usage, state)
        }
        return .admitted(state)
    }

    // MARK: - Allowances

    static func grant(_ db: Database, _ request: AllowanceRequest) throws -> AllowanceGrant {
        var grant = AllowanceGrant(nanos: 0, exhausted: nil, requests: 0, window: nil, requestsRefused: false)
        if let wanted = request.requests {
            (grant.requests, grant.window) = try grantRequests(db, keyId: request.keyId, wanted, now: request.now)
            grant.requestsRefused = grant.requests == 0 && wanted.atLeast > 0
        }
        if !request.budgets.isEmpty, request.nanosAtMost > 0 {
            var outcome = try grantNanos(db, request)
            if case .failure = outcome, try SQLiteSpendStore.releaseLapsed(db, keyId: request.keyId, now: request.now) {
                outcome = try grantNanos(db, request)
            }
            switch outcome {
            case .success(let nanos): grant.nanos = nanos
            case .failure(let refusal): grant.exhausted = refusal.usage
            }
        }
        return grant
    }

    struct Exhausted: Error {
        var usage: BudgetUsage
    }

    /// The tightest budget's room decides; then one conditional upsert per budget holds it (the condition cannot fail
    /// inside this transaction, and keeps a PostgreSQL twin honest under READ COMMITTED).
    static func grantNanos(_ db: Database, _ request: AllowanceRequest) throws -> Result<Int64, Exhausted> {
        var room = Int64.max
        for budget in request.budgets {
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT windowStart, spentNanos, reservedNanos FROM budget_windows WHERE keyId = ? AND budgetId = ?"),
                arguments: [request.keyId, budget.budgetId])
            // As the holds' upsert sees it: a row still in an earlier window has spent nothing in this one.
            let spent: Int64 = row.map { ($0["windowStart"] as Int64) >= budget.start ? $0["spentNanos"] : 0 } ?? 0
            let reserved: Int64 = row?["reservedNanos"] ?? 0
            let budgetRoom = SQLiteSpendStore.bounded(budget.limitNanos) - spent - reserved
            if budgetRoom < max(1, request.nanosAtLeast) {
                return .failure(Exhausted(usage: try SQLiteSpendStore.usage(db, keyId: request.keyId, budget, now: request.now)))
            }
            room = min(room, budgetRoom)
        }
        let amount = SQLiteSpendStore.bounded(min(request.nanosAtMost, room))
        for budget in request.budgets {
            let hold = BudgetHold(id: request.id, amountNanos: amount, budgets: [budget], expiresAt: request.expiresAt)
            if case .exhausted(let usage) = try SQLiteSpendStore.hold(db, keyId: request.keyId, hold, now: request.now, adding: true) {
                return .failure(Exhausted(usage: usage))
            }
        }
        return .success(amount)
    }

    static func grantRequests(_ db: Database, keyId: String, _ wanted: AllowanceRequest.Requests, now: Date) throws -> (Int, RateLimitState) {
        let window = Int64(max(1, wanted.windowSeconds))
        let start = RateLimitAdmission.windowStart(now, windowSeconds: wanted.windowSeconds)
        let slot: StatementArguments = [keyId, window, start]
        let used = try SQLiteRateLimitStore.used(db, SQLiteRateLimitStore.requests, slot)
        var state = RateLimitState(windowStart: start, windowEnd: start + window, requestsUsed: used, tokensUsed: 0, inFlight: 0)
        let room = wanted.limit - used
        guard room >= max(1, wanted.atLeast) else { return (0, state) }
        let count = min(wanted.atMost, room)
        try db.executeCached(
            sql: """
                INSERT INTO rate_windows (keyId, kind, windowSeconds, windowStart, used) VALUES (?, 'requests', ?, ?, ?)
                ON CONFLICT (keyId, kind, windowSeconds, windowStart) DO UPDATE SET used = rate_windows.used + excluded.used
                """,
            arguments: slot + [count])
        state.requestsUsed = used + count
        return (count, state)
    }

    /// Moves a cost from the allowance's hold (as far as the hold still has it) to the budgets' spend.
    static func charge(_ db: Database, _ charge: AllowanceCharge) throws {
        let cost = SQLiteSpendStore.bounded(charge.costNanos)
        for budget in charge.budgets {
            let moved = try shrink(db, hold: charge.id, budget.budgetId, by: cost, expiresAt: charge.expiresAt)
            try SQLiteSpendStore.addSpend(db, keyId: charge.keyId, budget, costNanos: cost, releasing: moved)
        }
    }

    static func giveBack(_ db: Database, _ given: AllowanceReturn) throws {
        for budgetId in given.budgetIds where given.nanos > 0 {
            let moved = try shrink(db, hold: given.id, budgetId, by: SQLiteSpendStore.bounded(given.nanos), expiresAt: nil)
            guard moved > 0 else { continue }
            try db.executeCached(
                sql: "DELETE FROM budget_reservations WHERE id = ? AND budgetId = ? AND amountNanos <= 0", arguments: [given.id, budgetId])
            try db.executeCached(
                sql: "UPDATE budget_windows SET reservedNanos = reservedNanos - ? WHERE keyId = ? AND budgetId = ?",
                arguments: [moved, given.keyId, budgetId])
        }
        if given.requests > 0 {
            try db.executeCached(
                sql: """
                    UPDATE rate_windows SET used = used - ?
                    WHERE keyId = ? AND kind = 'requests' AND windowSeconds = ? AND windowStart = ? AND used >= ?
                    """,
                arguments: [given.requests, given.keyId, max(1, given.windowSeconds), given.windowStart, given.requests])
        }
    }

    /// Takes up to `amount` off the allowance's hold on one budget (an expiry moves it on); what it took, which the
    /// caller takes off the budget's `reservedNanos`.
    static func shrink(_ db: Database, hold id: String, _ budgetId: String, by amount: Int64, expiresAt: Date?) throws -> Int64 {
        let held =
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT amountNanos FROM budget_reservations WHERE id = ? AND budgetId = ?"), arguments: [id, budgetId])
            ?? 0
        let moved = min(held, amount)
        if let expiresAt {
            try db.executeCached(
                sql: "UPDATE budget_reservations SET amountNanos = amountNanos - ?, expiresAt = ? WHERE id = ? AND budgetId = ?",
                arguments: [moved, expiresAt.timeIntervalSince1970, id, budgetId])
        } else if moved > 0 {
            try db.executeCached(
                sql: "UPDATE budget_reservations SET amountNanos = amountNanos - ? WHERE id = ? AND budgetId = ?", arguments: [moved, id, budgetId])
        }
        return moved
    }
}
