import Foundation
import Logging
import PostgresNIO

/// The spend and rate-limit statements of `SQLiteSpendStore` and `SQLiteRateLimitStore` in PostgreSQL, run inside
/// the caller's transaction. Each admission is a conditional upsert: under READ COMMITTED, `ON CONFLICT DO UPDATE`
/// locks the row and evaluates its `WHERE` on the newest committed version, so two instances admitting against
/// one budget at once are serialized on that row and the limit holds exactly. Releases delete with `RETURNING`, so
/// a hold is undone by exactly one transaction.
struct PostgresLedgerStatements {
    let connection: PostgresConnection
    let logger: Logger

    @discardableResult
    func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.rows(query, logger)
    }

    /// Runs `body` in a savepoint, kept when it answers true and rolled back otherwise.
    func savepoint(_ body: () async throws -> Bool) async throws -> Bool {
        try await run("SAVEPOINT admission")
        let keep = try await body()
        try await run(keep ? "RELEASE SAVEPOINT admission" : "ROLLBACK TO SAVEPOINT admission")
        return keep
    }

    // MARK: - Budgets

    func hold(keyId: String, _ hold: BudgetHold, now: Date, adding: Bool = false) async throws -> BudgetReservation {
        let amount = Self.bounded(hold.amountNanos)
        for budget in hold.budgets {
            let limit = Self.bounded(budget.limitNanos)
            if amount > limit { return .exhausted(try await usage(keyId: keyId, budget, now: now)) }
            let held = try await run(
                """
                INSERT INTO budget_windows (keyId, budgetId, windowStart, limitNanos, spentNanos, reservedNanos)
                VALUES (\(keyId), \(budget.budgetId), \(budget.start), \(limit), 0, \(amount))
                ON CONFLICT (keyId, budgetId) DO UPDATE SET
                    reservedNanos = budget_windows.reservedNanos + excluded.reservedNanos,
                    limitNanos = excluded.limitNanos,
                    spentNanos = CASE WHEN budget_windows.windowStart < excluded.windowStart THEN 0 ELSE budget_windows.spentNanos END,
                    windowStart = GREATEST(budget_windows.windowStart, excluded.windowStart)
                WHERE (CASE WHEN budget_windows.windowStart < excluded.windowStart THEN 0 ELSE budget_windows.spentNanos END)
                    + budget_windows.reservedNanos + excluded.reservedNanos <= excluded.limitNanos
                RETURNING 1
                """)
            guard !held.isEmpty else { return .exhausted(try await usage(keyId: keyId, budget, now: now)) }
            let expires = hold.expiresAt.timeIntervalSince1970
            if adding {
                try await run(
                    """
                    INSERT INTO budget_reservations (id, keyId, budgetId, amountNanos, expiresAt) VALUES (\(hold.id), \(keyId), \(budget.budgetId), \(amount), \(expires))
                    ON CONFLICT (id, budgetId) DO UPDATE SET
                        amountNanos = budget_reservations.amountNanos + excluded.amountNanos, expiresAt = excluded.expiresAt
                    """)
            } else {
                try await run(
                    "INSERT INTO budget_reservations (id, keyId, budgetId, amountNanos, expiresAt) VALUES (\(hold.id), \(keyId), \(budget.budgetId), \(amount), \(expires))"
                )
            }
        }
        return .reserved
    }

    func settle(_ settlements: [BudgetSettlement]) async throws {
        for settlement in settlements {
            if let id = settlement.reservationId { try await release(reservationId: id) }
            let cost = Self.bounded(settlement.costNanos)
            guard cost > 0 else { continue }
            for budget in settlement.budgets { try await addSpend(keyId: settlement.keyId, budget, costNanos: cost) }
        }
    }

    func addSpend(keyId: String, _ budget: BudgetWindow, costNanos: Int64, releasing: Int64 = 0) async throws {
        try await run(
            """
            INSERT INTO budget_windows (keyId, budgetId, windowStart, limitNanos, spentNanos, reservedNanos)
            VALUES (\(keyId), \(budget.budgetId), \(budget.start), \(Self.bounded(budget.limitNanos)), \(costNanos), 0)
            ON CONFLICT (keyId, budgetId) DO UPDATE SET
                spentNanos = CASE WHEN budget_windows.windowStart < excluded.windowStart
                    THEN excluded.spentNanos ELSE budget_windows.spentNanos + excluded.spentNanos END,
                windowStart = GREATEST(budget_windows.windowStart, excluded.windowStart),
                reservedNanos = budget_windows.reservedNanos - \(releasing)
            """)
    }

    func releaseLapsedHolds(keyId: String, now: Date) async throws -> Bool {
        let lapsed = try await run(
            "DELETE FROM budget_reservations WHERE keyId = \(keyId) AND expiresAt <= \(now.timeIntervalSince1970) RETURNING keyId, budgetId, amountNanos")
        try await unhold(lapsed)
        return !lapsed.isEmpty
    }

    func releaseExpiredHolds(now: Date) async throws -> Int {
        let rows = try await run(
            "DELETE FROM budget_reservations WHERE expiresAt <= \(now.timeIntervalSince1970) RETURNING keyId, budgetId, amountNanos, id")
        try await unhold(rows)
        return Set(try rows.map { try $0.decode((String, String, Int64, String).self).3 }).count
    }

    func release(reservationId: String) async throws {
        try await unhold(try await run("DELETE FROM budget_reservations WHERE id = \(reservationId) RETURNING keyId, budgetId, amountNanos"))
    }

    /// Rows deleted with `RETURNING keyId, budgetId, amountNanos`, taken off their budgets' holds in a fixed order
    /// (two transactions touching the same budgets lock them in the same order and cannot deadlock on them).
    func unhold(_ rows: [PostgresRow]) async throws {
        guard !rows.isEmpty else { return }
        var held: [BudgetKey: Int64] = [:]
        for row in rows {
            let (keyId, budgetId, amount) = try row.decode((String, String, Int64).self)
            held[BudgetKey(keyId: keyId, budgetId: budgetId), default: 0] += amount
        }
        for (budget, amount) in held.sorted(by: { ($0.key.keyId, $0.key.budgetId) < ($1.key.keyId, $1.key.budgetId) }) {
            try await run(
                "UPDATE budget_windows SET reservedNanos = reservedNanos - \(amount) WHERE keyId = \(budget.keyId) AND budgetId = \(budget.budgetId)")
        }
    }

    func usage(keyId: String, _ budget: BudgetWindow, now: Date) async throws -> BudgetUsage {
        let window = try await run("SELECT windowStart, spentNanos FROM budget_windows WHERE keyId = \(keyId) AND budgetId = \(budget.budgetId)")
            .first.map { try $0.decode((Int64, Int64).self) }
        let spent = window.map { $0.0 >= budget.start ? $0.1 : 0 } ?? 0
        let reserved =
            try await run(
                """
                SELECT COALESCE(SUM(amountNanos), 0)::BIGINT FROM budget_reservations
                WHERE keyId = \(keyId) AND budgetId = \(budget.budgetId) AND expiresAt > \(now.timeIntervalSince1970)
                """
            ).first?.decode(Int64.self) ?? 0
        return BudgetUsage(
            budgetId: budget.budgetId, limitNanos: budget.limitNanos, spentNanos: spent, reservedNanos: reserved,
            windowStart: budget.start, windowEnd: budget.end)
    }

    /// Room left on one budget as the holds' upsert sees it (a row still in an earlier window has spent nothing).
    func room(keyId: String, _ budget: BudgetWindow) async throws -> Int64 {
        let row = try await run(
            "SELECT windowStart, spentNanos, reservedNanos FROM budget_windows WHERE keyId = \(keyId) AND budgetId = \(budget.budgetId)"
        ).first.map { try $0.decode((Int64, Int64, Int64).self) }
        let spent = row.map { $0.0 >= budget.start ? $0.1 : 0 } ?? 0
        return Self.bounded(budget.limitNanos) - spent - (row?.2 ?? 0)
    }

    /// Takes up to `amount` off an allowance's hold on one budget; what it took.
    func shrink(hold id: String, _ budgetId: String, by amount: Int64, expiresAt: Date?) async throws -> Int64 {
        let held = try await run("SELECT amountNanos FROM budget_reservations WHERE id = \(id) AND budgetId = \(budgetId) FOR UPDATE")
            .first?.decode(Int64.self) ?? 0
        let moved = min(held, amount)
        if let expiresAt {
            try await run(
                """
                UPDATE budget_reservations SET amountNanos = amountNanos - \(moved), expiresAt = \(expiresAt.timeIntervalSince1970)
                WHERE id = \(id) AND budgetId = \(budgetId)
                """)
        } else if moved > 0 {
            try await run("UPDATE budget_reservations SET amountNanos = amountNanos - \(moved) WHERE id = \(id) AND budgetId = \(budgetId)")
        }
        return moved
    }

    // MARK: - Rate limits

    func count(_ admission: RateLimitAdmission, now: Date) async throws -> RateLimitDecision {
        let window = Int64(max(1, admission.windowSeconds))
        let start = RateLimitAdmission.windowStart(now, windowSeconds: admission.windowSeconds)
        var state = RateLimitState(windowStart: start, windowEnd: start + window, requestsUsed: 0, tokensUsed: 0, inFlight: 0)
        let keyId = admission.keyId
        if let limit = admission.maxRequests {
            let used: Int64? =
                limit < 1
                ? nil
                : try await run(
                    """
                    INSERT INTO rate_windows (keyId, kind, windowSeconds, windowStart, used) VALUES (\(keyId), 'requests', \(window), \(start), 1)
                    ON CONFLICT (keyId, kind, windowSeconds, windowStart) DO UPDATE SET used = rate_windows.used + 1
                    WHERE rate_windows.used + 1 <= \(Int64(limit))
                    RETURNING used
                    """
                ).first?.decode(Int64.self)
            guard let used else {
                state.requestsUsed = try await self.used("requests", keyId: keyId, window: window, start: start)
                return .refused(.requests, state)
            }
            state.requestsUsed = Int(used)
        }
        if let limit = admission.maxTokens {
            state.tokensUsed = try await used("tokens", keyId: keyId, window: window, start: start)
            if state.tokensUsed >= limit { return .refused(.tokens, state) }
        }
        if let limit = admission.maxConcurrent {
            let inFlight: Int64? =
                limit < 1
                ? nil
                : try await run(
                    """
                    INSERT INTO rate_concurrency (keyId, inFlight) VALUES (\(keyId), 1)
                    ON CONFLICT (keyId) DO UPDATE SET inFlight = rate_concurrency.inFlight + 1
                    WHERE rate_concurrency.inFlight + 1 <= \(Int64(limit))
                    RETURNING inFlight
                    """
                ).first?.decode(Int64.self)
            guard let inFlight else {
                state.inFlight = Int(try await run("SELECT inFlight FROM rate_concurrency WHERE keyId = \(keyId)").first?.decode(Int64.self) ?? 0)
                return .refused(.concurrency, state)
            }
            state.inFlight = Int(inFlight)
            try await run(
                "INSERT INTO rate_leases (id, keyId, expiresAt) VALUES (\(admission.leaseId), \(keyId), \(admission.leaseExpiresAt.timeIntervalSince1970))")
        }
        return .admitted(state)
    }

    /// Counts `wanted` requests at once for an allowance, as many as the window has room for (up to `atMost`).
    func grantRequests(keyId: String, _ wanted: AllowanceRequest.Requests, now: Date) async throws -> (Int, RateLimitState) {
        let window = Int64(max(1, wanted.windowSeconds))
        let start = RateLimitAdmission.windowStart(now, windowSeconds: wanted.windowSeconds)
        let used = try await self.used("requests", keyId: keyId, window: window, start: start)
        var state = RateLimitState(windowStart: start, windowEnd: start + window, requestsUsed: used, tokensUsed: 0, inFlight: 0)
        let room = wanted.limit - used
        guard room >= max(1, wanted.atLeast) else { return (0, state) }
        let count = min(wanted.atMost, room)
        // Conditional, so a grant racing another instance's between the read and here cannot overshoot the limit.
        let counted = try await run(
            """
            INSERT INTO rate_windows (keyId, kind, windowSeconds, windowStart, used) VALUES (\(keyId), 'requests', \(window), \(start), \(Int64(count)))
            ON CONFLICT (keyId, kind, windowSeconds, windowStart) DO UPDATE SET used = rate_windows.used + excluded.used
            WHERE rate_windows.used + excluded.used <= \(Int64(wanted.limit))
            RETURNING used
            """
        ).first?.decode(Int64.self)
        guard let counted else {
            state.requestsUsed = try await self.used("requests", keyId: keyId, window: window, start: start)
            return (0, state)
        }
        state.requestsUsed = Int(counted)
        return (count, state)
    }

    func returnRequests(_ given: AllowanceReturn) async throws {
        guard given.requests > 0 else { return }
        let requests = Int64(given.requests)
        try await run(
            """
            UPDATE rate_windows SET used = used - \(requests)
            WHERE keyId = \(given.keyId) AND kind = 'requests' AND windowSeconds = \(Int64(max(1, given.windowSeconds)))
                AND windowStart = \(given.windowStart) AND used >= \(requests)
            """)
    }

    func releaseLapsedLeases(keyId: String, now: Date) async throws -> Bool {
        let lapsed = try await run("DELETE FROM rate_leases WHERE keyId = \(keyId) AND expiresAt <= \(now.timeIntervalSince1970) RETURNING keyId")
        try await unlease(lapsed)
        return !lapsed.isEmpty
    }

    func complete(_ completions: [RateLimitCompletion]) async throws {
        for completion in completions {
            if let lease = completion.leaseId {
                try await unlease(try await run("DELETE FROM rate_leases WHERE id = \(lease) RETURNING keyId"))
            }
            guard completion.tokens > 0 else { continue }
            let window = Int64(max(1, completion.windowSeconds))
            let start = RateLimitAdmission.windowStart(completion.endedAt, windowSeconds: completion.windowSeconds)
            try await run(
                """
                INSERT INTO rate_windows (keyId, kind, windowSeconds, windowStart, used) VALUES (\(completion.keyId), 'tokens', \(window), \(start), \(Int64(completion.tokens)))
                ON CONFLICT (keyId, kind, windowSeconds, windowStart) DO UPDATE SET used = rate_windows.used + excluded.used
                """)
        }
    }

    func sweepRates(now: Date) async throws -> Int {
        let rows = try await run("DELETE FROM rate_leases WHERE expiresAt <= \(now.timeIntervalSince1970) RETURNING keyId")
        try await unlease(rows)
        try await run("DELETE FROM rate_windows WHERE windowStart + windowSeconds <= \(Int64(now.timeIntervalSince1970.rounded(.down)))")
        return rows.count
    }

    func used(_ kind: String, keyId: String, window: Int64, start: Int64) async throws -> Int {
        Int(
            try await run(
                "SELECT used FROM rate_windows WHERE keyId = \(keyId) AND kind = \(kind) AND windowSeconds = \(window) AND windowStart = \(start)"
            ).first?.decode(Int64.self) ?? 0)
    }

    func unlease(_ rows: [PostgresRow]) async throws {
        guard !rows.isEmpty else { return }
        var leases: [String: Int64] = [:]
        for row in rows { leases[try row.decode(String.self), default: 0] += 1 }
        for (keyId, count) in leases.sorted(by: { $0.key < $1.key }) {
            try await run("UPDATE rate_concurrency SET inFlight = inFlight - \(count) WHERE keyId = \(keyId)")
        }
    }

    static func bounded(_ nanos: Int64) -> Int64 { min(max(0, nanos), BudgetHold.maxAmountNanos) }

    struct BudgetKey: Hashable {
        var keyId: String
        var budgetId: String
    }
}
