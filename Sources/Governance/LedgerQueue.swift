import Foundation
import Stores

/// What waits for the ledger's next write: the settlements of calls that ended and the admissions of calls that are
/// starting, and the one task writing them (nil when there is nothing to write).
struct LedgerQueue {
    var settlements: [PendingSettlement] = []
    var admissions: [(LedgerAdmission, CheckedContinuation<LedgerDecision, any Error>)] = []
    var pump: Task<Void, Never>?
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

    private func start(_ queue: inout LedgerQueue) {
        if queue.pump == nil { queue.pump = Task { await self.pump() } }
    }

    /// Writes until the queue is empty: each round takes everything queued meanwhile into one write, settlements
    /// first, so a client calling one call after another finds the last call's hold released.
    func pump() async {
        while true {
            let round: ([PendingSettlement], [(LedgerAdmission, CheckedContinuation<LedgerDecision, any Error>)])? = queue.withLock { queue in
                guard !queue.settlements.isEmpty || !queue.admissions.isEmpty else {
                    queue.pump = nil
                    return nil
                }
                defer {
                    queue.settlements.removeAll(keepingCapacity: true)
                    queue.admissions.removeAll(keepingCapacity: true)
                }
                return (queue.settlements, queue.admissions)
            }
            guard let (ended, starting) = round else { return }
            await write(ended, starting)
        }
    }

    func write(_ ended: [PendingSettlement], _ starting: [(LedgerAdmission, CheckedContinuation<LedgerDecision, any Error>)]) async {
        let (settlements, completions) = await entries(ended)
        let write = LedgerWrite(settlements: settlements, completions: completions, admissions: starting.map(\.0))
        do {
            let decisions = try await ledger.write(write)
            for (index, (_, waiting)) in starting.enumerated() {
                if index < decisions.count {
                    waiting.resume(returning: decisions[index])
                } else {
                    waiting.resume(throwing: LedgerQueueError.missingDecision)
                }
            }
            return
        } catch {
            for (_, waiting) in starting { waiting.resume(throwing: error) }
            logger.error("governance write failed", metadata: ["admissions": "\(starting.count)", "error": "\(error)"])
        }
        // The ended calls' charges must not be lost for the sake of the admissions beside them: once more alone.
        guard !starting.isEmpty, !settlements.isEmpty || !completions.isEmpty else {
            logSettlementsLost(settlements.count + completions.count)
            return
        }
        do {
            _ = try await ledger.write(LedgerWrite(settlements: settlements, completions: completions))
        } catch {
            logSettlementsLost(settlements.count + completions.count)
        }
    }

    private func logSettlementsLost(_ count: Int) {
        guard count > 0 else { return }
        // The holds lapse by themselves; the spend of these calls is lost, which the log says.
        logger.error("budget settlements and rate-limit completions not written", metadata: ["entries": "\(count)"])
    }

    /// Waits until everything queued so far is written: at shutdown, after the server has ended its calls.
    public func drain() async {
        while let pump = queue.withLock({ $0.pump }) { await pump.value }
    }
}

enum LedgerQueueError: Error {
    case missingDecision
}
