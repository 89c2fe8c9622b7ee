import Foundation
import Stores

/// What waits for the ledger's next write: the ends of calls (settlements; charges and returns of allowances),
/// admissions that must go to the store, calls waiting for their key's allowance to grow, and the one task writing
/// them (nil when there is nothing to write).
struct LedgerQueue {
    var settlements: [PendingSettlement] = []
    var charges: [AllowanceCharge] = []
    var returns: [AllowanceReturn] = []
    var admissions: [(LedgerAdmission, CheckedContinuation<LedgerDecision, any Error>)] = []
    var waits: [AllowanceWait] = []
    var pump: Task<Void, Never>?
    /// When the oldest charge queued arrived, while only charges are queued.
    var chargesSince: ContinuousClock.Instant?
    /// The pump's wait for more charges, cut short when anything else arrives.
    var linger: Task<Void, any Error>?

    /// Joins the charge queued for the same allowance and budget windows, if there is one: a busy key's round costs
    /// the same few statements however many of its calls ended.
    mutating func add(_ charge: AllowanceCharge) {
        if let at = charges.lastIndex(where: { $0.id == charge.id && Self.sameWindows($0.budgets, charge.budgets) }) {
            charges[at].costNanos = min(charges[at].costNanos + charge.costNanos, BudgetHold.maxAmountNanos)
            charges[at].expiresAt = max(charges[at].expiresAt, charge.expiresAt)
        } else {
            charges.append(charge)
        }
    }

    static func sameWindows(_ a: [BudgetWindow], _ b: [BudgetWindow]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.budgetId == $1.budgetId && $0.start == $1.start }
    }

    var isEmpty: Bool { settlements.isEmpty && charges.isEmpty && returns.isEmpty && admissions.isEmpty && waits.isEmpty }
    /// Only allowance charges are queued: nothing waits on this write.
    var holdsOnlyCharges: Bool { settlements.isEmpty && returns.isEmpty && admissions.isEmpty && waits.isEmpty && !charges.isEmpty }
}

/// One round of the pump: everything queued when it started.
struct LedgerRound {
    var settlements: [PendingSettlement]
    var charges: [AllowanceCharge]
    var returns: [AllowanceReturn]
    var admissions: [(LedgerAdmission, CheckedContinuation<LedgerDecision, any Error>)]
    var waits: [AllowanceWait]
}

extension GovernancePlugin {
    /// Never waits: the settlement goes into the next write.
    func enqueue(_ settlement: PendingSettlement) {
        queue.withLock { queue in
            queue.settlements.append(settlement)
            start(&queue)
        }
    }

    /// Waits for the write that carries this admission: the one after the write in progress, if there is one.
    func admit(_ admission: LedgerAdmission) async throws -> LedgerDecision {
        try await withCheckedThrowingContinuation { continuation in
            queue.withLock { queue in
                queue.admissions.append((admission, continuation))
                start(&queue)
            }
        }
    }

    /// Starts the pump, or, when it lingers over charges (`Settings.chargeLinger`) and something else arrived, lets
    /// it write now.
    func start(_ queue: inout LedgerQueue) {
        if queue.pump == nil {
            queue.pump = Task { await self.pump() }
        } else if !queue.holdsOnlyCharges, let linger = queue.linger {
            linger.cancel()
            queue.linger = nil
        }
    }

    /// Writes until the queue is empty: each round takes everything queued meanwhile into one write, the ends of
    /// calls first, so a client calling one call after another finds the last call's hold released.
    func pump() async {
        while true {
            let linger: Task<Void, any Error>? = queue.withLock { queue in
                guard queue.holdsOnlyCharges, let since = queue.chargesSince else { return nil }
                let left = settings.chargeLinger - (ContinuousClock.now - since)
                guard left > .zero else { return nil }
                let sleeper = Task { try await Task.sleep(for: left) }
                queue.linger = sleeper
                return sleeper
            }
            if let linger {
                _ = try? await linger.value
                queue.withLock { $0.linger = nil }
            }
            let round: LedgerRound? = queue.withLock { queue in
                guard !queue.isEmpty else {
                    queue.pump = nil
                    return nil
                }
                queue.chargesSince = nil
                defer {
                    queue.settlements.removeAll(keepingCapacity: true)
                    queue.charges.removeAll(keepingCapacity: true)
                    queue.returns.removeAll(keepingCapacity: true)
                    queue.admissions.removeAll(keepingCapacity: true)
                    queue.waits.removeAll(keepingCapacity: true)
                }
                return LedgerRound(
                    settlements: queue.settlements, charges: queue.charges, returns: queue.returns, admissions: queue.admissions,
                    waits: queue.waits)
            }
            guard let round else { return }
            let still = await write(round)
            if !still.isEmpty { queue.withLock { $0.waits.insert(contentsOf: still, at: 0) } }
        }
    }

    /// One write; the calls waiting for an allowance that this round could not yet answer.
    func write(_ round: LedgerRound) async -> [AllowanceWait] {
        let (settlements, completions) = await entries(round.settlements)
        let grants = grantRequests(round.waits)
        let write = LedgerWrite(
            settlements: settlements, completions: completions, charges: round.charges, returns: round.returns,
            admissions: round.admissions.map(\.0), grants: grants)
        do {
            let answers = try await ledger.write(write)
            for (index, (_, waiting)) in round.admissions.enumerated() {
                if index < answers.decisions.count {
                    waiting.resume(returning: answers.decisions[index])
                } else {
                    waiting.resume(throwing: LedgerQueueError.missingDecision)
                }
            }
            var granted: [String: AllowanceGrant] = [:]
            for (request, grant) in zip(grants, answers.grants) { granted[request.keyId] = grant }
            return settleWaits(round.waits, grants: granted)
        } catch {
            for (_, waiting) in round.admissions { waiting.resume(throwing: error) }
            for wait in round.waits {
                if let continuation = wait.continuation { continuation.resume(throwing: error) } else { refillFailed(keyId: wait.keyId) }
            }
            logger.error(
                "governance write failed", metadata: ["admissions": "\(round.admissions.count + round.waits.count)", "error": "\(error)"])
        }
        // The ended calls' charges must not be lost for the sake of the admissions beside them: once more alone.
        let ends = write.endsOnly
        guard !ends.isEmpty, !round.admissions.isEmpty || !round.waits.isEmpty else {
            logEndsLost(ends)
            return []
        }
        do {
            _ = try await ledger.write(ends)
        } catch {
            logEndsLost(ends)
        }
        return []
    }

    private func logEndsLost(_ ends: LedgerWrite) {
        let count = ends.settlements.count + ends.completions.count + ends.charges.count + ends.returns.count
        guard count > 0 else { return }
        // Holds and allowances lapse by themselves; the spend of these calls is lost, which the log says.
        logger.error("budget settlements and rate-limit completions not written", metadata: ["entries": "\(count)"])
    }

    /// Gives back the allowances no call runs on and waits until everything queued so far is written: at shutdown,
    /// after the server has ended its calls.
    public func drain() async {
        giveBackIdleAllowances()
        while let pump = queue.withLock({ $0.pump }) { await pump.value }
    }
}

enum LedgerQueueError: Error {
    case missingDecision
}
