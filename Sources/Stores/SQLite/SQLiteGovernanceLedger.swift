import Foundation
import GRDB

/// The ledger over the spend and rate-limit tables: one `pool.write` per `write`, the same conditional statements
/// as `SQLiteSpendStore` and `SQLiteRateLimitStore`, one savepoint per admission.
public struct SQLiteGovernanceLedger: GovernanceLedger {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    public func write(_ write: LedgerWrite) async throws -> [LedgerDecision] {
        guard !write.isEmpty else { return [] }
        return try await pool.write { db in
            try SQLiteSpendStore.settle(db, write.settlements)
            try SQLiteRateLimitStore.complete(db, write.completions)
            return try write.admissions.map { try Self.admit(db, $0) }
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
}
