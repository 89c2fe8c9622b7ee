import Foundation
import PostgresNIO

/// The governance hot path on PostgreSQL: one transaction per `write` (the gateway's group commit), the statements of
/// `PostgresLedgerStatements`, a savepoint per admission. Also serves as the `SpendStore` and `RateLimitStore` of a
/// PostgreSQL store, since those are the same statements one call at a time.
public struct PostgresGovernanceLedger: GovernanceLedger, SpendStore, RateLimitStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    private func transaction<Result: Sendable>(_ body: (PostgresLedgerStatements) async throws -> Result) async throws -> Result {
        try await database.transaction { connection in
            try await body(PostgresLedgerStatements(connection: connection, logger: database.logger))
        }
    }

    public func write(_ write: LedgerWrite) async throws -> LedgerAnswers {
        guard !write.isEmpty else { return LedgerAnswers() }
        return try await transaction { sql in
            try await sql.settle(write.settlements)
            try await sql.complete(write.completions)
            for charge in write.charges {
                let cost = PostgresLedgerStatements.bounded(charge.costNanos)
                for budget in charge.budgets {
                    let moved = try await sql.shrink(hold: charge.id, budget.budgetId, by: cost, expiresAt: charge.expiresAt)
                    try await sql.addSpend(keyId: charge.keyId, budget, costNanos: cost, releasing: moved)
                }
            }
            for given in write.returns { try await Self.giveBack(sql, given) }
            var answers = LedgerAnswers()
            for admission in write.admissions { answers.decisions.append(try await Self.admit(sql, admission)) }
            for request in write.grants { answers.grants.append(try await Self.grant(sql, request)) }
            return answers
        }
    }

    public func sweep(now: Date) async throws -> Int {
        try await transaction { sql in try await sql.releaseExpiredHolds(now: now) + sql.sweepRates(now: now) }
    }

    /// As `SQLiteGovernanceLedger.admit`: rate limits first, then the hold, all or nothing; one retry after the
    /// key's lapsed holds and leases are released.
    static func admit(_ sql: PostgresLedgerStatements, _ admission: LedgerAdmission) async throws -> LedgerDecision {
        var decision = LedgerDecision.admitted(nil)
        func attempt() async throws -> Bool {
            try await sql.savepoint {
                decision = try await decide(sql, admission)
                if case .admitted = decision { return true }
                return false
            }
        }
        guard try await !attempt() else { return decision }
        var released = false
        if admission.rate?.maxConcurrent != nil { released = try await sql.releaseLapsedLeases(keyId: admission.keyId, now: admission.now) }
        if admission.hold != nil { released = try await sql.releaseLapsedHolds(keyId: admission.keyId, now: admission.now) || released }
        if released { _ = try await attempt() }
        return decision
    }

    static func decide(_ sql: PostgresLedgerStatements, _ admission: LedgerAdmission) async throws -> LedgerDecision {
        var state: RateLimitState?
        if let rate = admission.rate {
            switch try await sql.count(rate, now: admission.now) {
            case .admitted(let counted): state = counted
            case .refused(let limit, let refused): return .throttled(limit, refused)
            }
        }
        if let hold = admission.hold, !hold.budgets.isEmpty,
            case .exhausted(let usage) = try await sql.hold(keyId: admission.keyId, hold, now: admission.now)
        {
            return .exhausted(usage, state)
        }
        return .admitted(state)
    }

    static func grant(_ sql: PostgresLedgerStatements, _ request: AllowanceRequest) async throws -> AllowanceGrant {
        var grant = AllowanceGrant(nanos: 0, exhausted: nil, requests: 0, window: nil, requestsRefused: false)
        if let wanted = request.requests {
            (grant.requests, grant.window) = try await sql.grantRequests(keyId: request.keyId, wanted, now: request.now)
            grant.requestsRefused = grant.requests == 0 && wanted.atLeast > 0
        }
        if !request.budgets.isEmpty, request.nanosAtMost > 0 {
            var outcome = try await grantNanos(sql, request)
            if case .exhausted = outcome, try await sql.releaseLapsedHolds(keyId: request.keyId, now: request.now) {
                outcome = try await grantNanos(sql, request)
            }
            switch outcome {
            case .reserved(let nanos): grant.nanos = nanos
            case .exhausted(let usage): grant.exhausted = usage
            }
        }
        return grant
    }

    enum NanosGrant {
        case reserved(Int64)
        case exhausted(BudgetUsage)
    }

    /// The tightest budget's room decides the amount; each budget's conditional upsert then holds it, in a savepoint,
    /// so another instance that took the room in between makes this grant fail whole rather than half.
    static func grantNanos(_ sql: PostgresLedgerStatements, _ request: AllowanceRequest) async throws -> NanosGrant {
        var room = Int64.max
        for budget in request.budgets {
            let budgetRoom = try await sql.room(keyId: request.keyId, budget)
            if budgetRoom < max(1, request.nanosAtLeast) { return .exhausted(try await sql.usage(keyId: request.keyId, budget, now: request.now)) }
            room = min(room, budgetRoom)
        }
        let amount = PostgresLedgerStatements.bounded(min(request.nanosAtMost, room))
        var refusal: BudgetUsage?
        _ = try await sql.savepoint {
            for budget in request.budgets {
                let hold = BudgetHold(id: request.id, amountNanos: amount, budgets: [budget], expiresAt: request.expiresAt)
                if case .exhausted(let usage) = try await sql.hold(keyId: request.keyId, hold, now: request.now, adding: true) {
                    refusal = usage
                    return false
                }
            }
            return true
        }
        return refusal.map(NanosGrant.exhausted) ?? .reserved(amount)
    }

    static func giveBack(_ sql: PostgresLedgerStatements, _ given: AllowanceReturn) async throws {
        for budgetId in given.budgetIds where given.nanos > 0 {
            let moved = try await sql.shrink(hold: given.id, budgetId, by: PostgresLedgerStatements.bounded(given.nanos), expiresAt: nil)
            guard moved > 0 else { continue }
            try await sql.run("DELETE FROM budget_reservations WHERE id = \(given.id) AND budgetId = \(budgetId) AND amountNanos <= 0")
            try await sql.run(
                "UPDATE budget_windows SET reservedNanos = reservedNanos - \(moved) WHERE keyId = \(given.keyId) AND budgetId = \(budgetId)")
        }
        try await sql.returnRequests(given)
    }

    // MARK: - SpendStore

    public func reserve(
        id: String, keyId: String, amountNanos: Int64, budgets: [BudgetWindow], expiresAt: Date, now: Date
    ) async throws -> BudgetReservation {
        guard !budgets.isEmpty else { return .reserved }
        let hold = BudgetHold(id: id, amountNanos: amountNanos, budgets: budgets, expiresAt: expiresAt)
        return try await transaction { sql in
            try await sql.release(reservationId: id)
            var outcome = BudgetReservation.reserved
            func attempt() async throws -> Bool {
                try await sql.savepoint {
                    outcome = try await sql.hold(keyId: keyId, hold, now: now)
                    return outcome == .reserved
                }
            }
            if try await !attempt(), try await sql.releaseLapsedHolds(keyId: keyId, now: now) { _ = try await attempt() }
            return outcome
        }
    }

    public func settle(_ settlements: [BudgetSettlement]) async throws {
        guard !settlements.isEmpty else { return }
        try await transaction { sql in try await sql.settle(settlements) }
    }

    public func releaseExpired(now: Date) async throws -> Int {
        try await transaction { sql in try await sql.releaseExpiredHolds(now: now) }
    }

    public func usage(keyId: String, budgets: [BudgetWindow], now: Date) async throws -> [BudgetUsage] {
        try await transaction { sql in
            var usages: [BudgetUsage] = []
            for budget in budgets { usages.append(try await sql.usage(keyId: keyId, budget, now: now)) }
            return usages
        }
    }

    // MARK: - RateLimitStore

    public func admit(_ admission: RateLimitAdmission, now: Date) async throws -> RateLimitDecision {
        try await transaction { sql in
            var decision = RateLimitDecision.refused(.requests, RateLimitState(windowStart: 0, windowEnd: 0, requestsUsed: 0, tokensUsed: 0, inFlight: 0))
            func attempt() async throws -> Bool {
                try await sql.savepoint {
                    decision = try await sql.count(admission, now: now)
                    return decision.isAdmitted
                }
            }
            if try await !attempt(), admission.maxConcurrent != nil, try await sql.releaseLapsedLeases(keyId: admission.keyId, now: now) {
                _ = try await attempt()
            }
            return decision
        }
    }

    public func complete(_ completions: [RateLimitCompletion]) async throws {
        guard !completions.isEmpty else { return }
        try await transaction { sql in try await sql.complete(completions) }
    }
}
