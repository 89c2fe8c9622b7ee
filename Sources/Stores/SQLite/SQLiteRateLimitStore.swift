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
        let window = Int64(max(1, admission.windowSeconds))
        let start = RateLimitAdmission.windowStart(now, windowSeconds: admission.windowSeconds)
        return try await pool.write { db in
            if admission.maxConcurrent != nil {
                try Self.unlease(db, try Row.fetchAll(
                    db.cachedStatement(sql: "DELETE FROM rate_leases WHERE keyId = ? AND expiresAt <= ? RETURNING keyId"),
                    arguments: [admission.keyId, now.timeIntervalSince1970]))
            }
            var state = RateLimitState(windowStart: start, windowEnd: start + window, requestsUsed: 0, tokensUsed: 0, inFlight: 0)
            var refused: RateLimitDecision.Limit?
            try db.inSavepoint {
                let slot: StatementArguments = [admission.keyId, window, start]
                if let limit = admission.maxRequests {
                    try db.executeCached(
                        sql: """
                            INSERT INTO rate_windows (keyId, kind, windowSeconds, windowStart, used) VALUES (?, 'requests', ?, ?, 0)
                            ON CONFLICT (keyId, kind, windowSeconds, windowStart) DO NOTHING
                            """,
                        arguments: slot)
                    try db.executeCached(
                        sql: """
                            UPDATE rate_windows SET used = used + 1
                            WHERE keyId = ? AND kind = 'requests' AND windowSeconds = ? AND windowStart = ? AND used + 1 <= ?
                            """,
                        arguments: slot + [limit])
                    let counted = db.changesCount == 1
                    state.requestsUsed = try Self.used(db, Self.requests, slot)
                    if !counted {
                        refused = .requests
                        return .rollback
                    }
                }
                state.tokensUsed = try Self.used(db, Self.tokens, slot)
                if let limit = admission.maxTokens, state.tokensUsed >= limit {
                    refused = .tokens
                    return .rollback
                }
                if let limit = admission.maxConcurrent {
                    try db.executeCached(
                        sql: "INSERT INTO rate_concurrency (keyId, inFlight) VALUES (?, 0) ON CONFLICT (keyId) DO NOTHING",
                        arguments: [admission.keyId])
                    try db.executeCached(
                        sql: "UPDATE rate_concurrency SET inFlight = inFlight + 1 WHERE keyId = ? AND inFlight + 1 <= ?",
                        arguments: [admission.keyId, limit])
                    let leased = db.changesCount == 1
                    state.inFlight =
                        try Int.fetchOne(db.cachedStatement(sql: "SELECT inFlight FROM rate_concurrency WHERE keyId = ?"), arguments: [admission.keyId]) ?? 0
                    if !leased {
                        refused = .concurrency
                        return .rollback
                    }
                    try db.executeCached(
                        sql: "INSERT INTO rate_leases (id, keyId, expiresAt) VALUES (?, ?, ?)",
                        arguments: [admission.leaseId, admission.keyId, admission.leaseExpiresAt.timeIntervalSince1970])
                }
                return .commit
            }
            return refused.map { .refused($0, state) } ?? .admitted(state)
        }
    }

    public func complete(_ completions: [RateLimitCompletion]) async throws {
        guard !completions.isEmpty else { return }
        try await pool.write { db in
            for completion in completions {
                if let lease = completion.leaseId {
                    try Self.unlease(db, try Row.fetchAll(db.cachedStatement(sql: "DELETE FROM rate_leases WHERE id = ? RETURNING keyId"), arguments: [lease]))
                }
                guard completion.tokens > 0 else { continue }
                let window = Int64(max(1, completion.windowSeconds))
                try db.executeCached(
                    sql: """
                        INSERT INTO rate_windows (keyId, kind, windowSeconds, windowStart, used) VALUES (?, 'tokens', ?, ?, ?)
                        ON CONFLICT (keyId, kind, windowSeconds, windowStart) DO UPDATE SET used = used + excluded.used
                        """,
                    arguments: [
                        completion.keyId, window, RateLimitAdmission.windowStart(completion.endedAt, windowSeconds: completion.windowSeconds),
                        completion.tokens,
                    ])
            }
        }
    }

    public func sweep(now: Date) async throws -> Int {
        try await pool.write { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "DELETE FROM rate_leases WHERE expiresAt <= ? RETURNING keyId"), arguments: [now.timeIntervalSince1970])
            try Self.unlease(db, rows)
            try db.executeCached(
                sql: "DELETE FROM rate_windows WHERE windowStart + windowSeconds <= ?",
                arguments: [Int64(now.timeIntervalSince1970.rounded(.down))])
            return rows.count
        }
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
