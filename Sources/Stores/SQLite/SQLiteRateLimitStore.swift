import Foundation
import GRDB

public struct SQLiteRateLimitStore: RateLimitStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    static let requests = "requests"
    static let tokens = "tokens"

    public func admit(_ admission: RateLimitAdmission, now: Date) async throws -> RateLimitDecision {
        try await pool.write { db in
            var decision = RateLimitDecision.refused(.requests, RateLimitState(windowStart: 0, windowEnd: 0, requestsUsed: 0, tokensUsed: 0, inFlight: 0))
            try Self.retryingLapsed(db, admission, now: now) {
                try db.inSavepoint {
                    decision = try Self.count(db, admission, now: now)
                    return decision.isAdmitted ? .commit : .rollback
                }
                return decision.isAdmitted
            }
            return decision
        }
    }

    public func complete(_ completions: [RateLimitCompletion]) async throws {
        guard !completions.isEmpty else { return }
        try await pool.write { db in try Self.complete(db, completions) }
    }

    public func sweep(now: Date) async throws -> Int {
        try await pool.write { db in try Self.sweep(db, now: now) }
    }

    // MARK: - Inside a transaction (shared with the ledger)

    /// Counts the request in its window and takes the lease, stopping at the first limit that refuses. The caller
    /// runs this in a savepoint and rolls it back unless it answers `.admitted`. Each count is one upsert whose
    /// update is conditional on the limit and which returns the new count, so an admitted call costs one statement
    /// per limit.
    static func count(_ db: Database, _ admission: RateLimitAdmission, now: Date) throws -> RateLimitDecision {
        let window = Int64(max(1, admission.windowSeconds))
        let start = RateLimitAdmission.windowStart(now, windowSeconds: admission.windowSeconds)
        var state = RateLimitState(windowStart: start, windowEnd: start + window, requestsUsed: 0, tokensUsed: 0, inFlight: 0)
        let slot: StatementArguments = [admission.keyId, window, start]
        if let limit = admission.maxRequests {
            // A new row counts its first request unconditionally: a limit below one is decided here.
            let used: Int? =
                limit < 1
                ? nil
                : try Int.fetchOne(
                    db.cachedStatement(
                        sql: """
                            INSERT INTO rate_windows (keyId, kind, windowSeconds, windowStart, used) VALUES (?, 'requests', ?, ?, 1)
                            ON CONFLICT (keyId, kind, windowSeconds, windowStart) DO UPDATE SET used = rate_windows.used + 1
                            WHERE rate_windows.used + 1 <= ?
                            RETURNING used
                            """),
                    arguments: slot + [limit])
            guard let used else {
                state.requestsUsed = try self.used(db, requests, slot)
                return .refused(.requests, state)
            }
            state.requestsUsed = used
        }
        if let limit = admission.maxTokens {
            state.tokensUsed = try used(db, tokens, slot)
            if state.tokensUsed >= limit { return .refused(.tokens, state) }
        }
        if let limit = admission.maxConcurrent {
            let inFlight: Int? =
                limit < 1
                ? nil
                : try Int.fetchOne(
                    db.cachedStatement(
                        sql: """
                            INSERT INTO rate_concurrency (keyId, inFlight) VALUES (?, 1)
                            ON CONFLICT (keyId) DO UPDATE SET inFlight = rate_concurrency.inFlight + 1
                            WHERE rate_concurrency.inFlight + 1 <= ?
                            RETURNING inFlight
                            """),
                    arguments: [admission.keyId, limit])
            guard let inFlight else {
                state.inFlight =
                    try Int.fetchOne(db.cachedStatement(sql: "SELECT inFlight FROM rate_concurrency WHERE keyId = ?"), arguments: [admission.keyId]) ?? 0
                return .refused(.concurrency, state)
            }
            state.inFlight = inFlight
            try db.executeCached(
                sql: "INSERT INTO rate_leases (id, keyId, expiresAt) VALUES (?, ?, ?)",
                arguments: [admission.leaseId, admission.keyId, admission.leaseExpiresAt.timeIntervalSince1970])
        }
        return .admitted(state)
    }

    /// Runs `attempt`; when it refuses and the admission caps calls in flight, releases the key's leases that
    /// lapsed by `now` (a crashed gateway's) and, if there were any, runs it once more.
    static func retryingLapsed(_ db: Database, _ admission: RateLimitAdmission, now: Date, _ attempt: () throws -> Bool) throws {
        guard try !attempt(), admission.maxConcurrent != nil, try releaseLapsed(db, keyId: admission.keyId, now: now) else { return }
        _ = try attempt()
    }

    /// Releases the key's leases that lapsed by `now`; whether there were any.
    static func releaseLapsed(_ db: Database, keyId: String, now: Date) throws -> Bool {
        let lapsed = try Row.fetchAll(
            db.cachedStatement(sql: "DELETE FROM rate_leases WHERE keyId = ? AND expiresAt <= ? RETURNING keyId"),
            arguments: [keyId, now.timeIntervalSince1970])
        try unlease(db, lapsed)
        return !lapsed.isEmpty
    }

    static func complete(_ db: Database, _ completions: [RateLimitCompletion]) throws {
        for completion in completions {
            if let lease = completion.leaseId {
                try unlease(db, try Row.fetchAll(db.cachedStatement(sql: "DELETE FROM rate_leases WHERE id = ? RETURNING keyId"), arguments: [lease]))
            }
            guard completion.tokens > 0 else { continue }
            let window = Int64(max(1, completion.windowSeconds))
            try db.executeCached(
                sql: """
                    INSERT INTO rate_windows (keyId, kind, windowSeconds, windowStart, used) VALUES (?, 'tokens', ?, ?, ?)
                    ON CONFLICT (keyId, kind, windowSeconds, windowStart) DO UPDATE SET used = rate_windows.used + excluded.used
                    """,
                arguments: [
                    completion.keyId, window, RateLimitAdmission.windowStart(completion.endedAt, windowSeconds: completion.windowSeconds),
                    completion.tokens,
                ])
        }
    }

    static func sweep(_ db: Database, now: Date) throws -> Int {
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "DELETE FROM rate_leases WHERE expiresAt <= ? RETURNING keyId"), arguments: [now.timeIntervalSince1970])
        try unlease(db, rows)
        try db.executeCached(
            sql: "DELETE FROM rate_windows WHERE windowStart + windowSeconds <= ?",
            arguments: [Int64(now.timeIntervalSince1970.rounded(.down))])
        return rows.count
    }

    static func used(_ db: Database, _ kind: String, _ slot: StatementArguments) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT used FROM rate_windows WHERE keyId = ? AND kind = '\(kind)' AND windowSeconds = ? AND windowStart = ?"),
            arguments: slot) ?? 0
    }

    /// Takes deleted leases off their keys' in-flight counts; a lease deleted here was deleted by no one else.
    static func unlease(_ db: Database, _ rows: [Row]) throws {
        guard !rows.isEmpty else { return }
        var leases: [String: Int] = [:]
        for row in rows { leases[row["keyId"], default: 0] += 1 }
        for (keyId, count) in leases {
            try db.executeCached(sql: "UPDATE rate_concurrency SET inFlight = inFlight - ? WHERE keyId = ?", arguments: [count, keyId])
        }
    }
}

extension RateLimitDecision {
    var isAdmitted: Bool {
        if case .admitted = self { true } else { false }
    }
}
