import Engine
import Foundation
import Pricing
import Stores
import SwitchyardModel

/// What a call's end owes its key: the cost to charge, the hold to release, the tokens to count, the lease to
/// return. Taken from the record at once, so the queue holds no answer text.
struct PendingSettlement: Sendable {
    var keyId: String
    var ticket: GovernancePlugin.Ticket?
    var provider: String?
    var model: String?
    var usage: Usage?
    var outcome: CallEnd.Outcome
    /// Some upstream attempt was made.
    var attempted: Bool
    /// Some upstream attempt answered (a whole answer, or a stream's head).
    var answered: Bool
    var endedAt: Date
    var mode: PricingMode

    /// Nil when the call owes nothing: anonymous, or admitted without a ticket and reported with no usage. A call
    /// without a ticket is charged only when it is a batch record (a native batch reports its records afterwards,
    /// and they never passed admission); a key with neither budgets nor limits has nothing to settle.
    init?(_ record: CallRecord, ticket: GovernancePlugin.Ticket?) {
        guard let caller = record.descriptor.caller else { return nil }
        if ticket == nil, record.descriptor.billing != .batch || record.usage == nil || record.attemptLog.isEmpty { return nil }
        keyId = ticket?.keyId ?? caller.keyId
        self.ticket = ticket
        provider = record.provider
        model = record.model
        usage = record.usage
        outcome = record.end?.outcome ?? .clientGone
        attempted = !record.attemptLog.isEmpty
        answered = record.attemptLog.contains { $0.endedAt != nil && $0.error == nil }
        endedAt = record.endedAt ?? Date()
        mode = record.descriptor.billing == .batch ? .batch : .standard
    }
}

extension GovernancePlugin {
    /// The store's form of the settlements: budget charges and rate-limit completions.
    func entries(_ batch: [PendingSettlement]) async -> (settlements: [BudgetSettlement], completions: [RateLimitCompletion]) {
        var settlements: [BudgetSettlement] = []
        var completions: [RateLimitCompletion] = []
        for item in batch {
            let cost = charge(item)
            if let ticket = item.ticket {
                if let reservation = ticket.reservationId {
                    settlements.append(
                        BudgetSettlement(
                            reservationId: reservation, keyId: item.keyId, costNanos: cost,
                            budgets: windows(ticket.budgets, anchor: ticket.anchor, at: item.endedAt)))
                }
                if ticket.leaseId != nil || ticket.tokenWindowSeconds != nil {
                    completions.append(
                        RateLimitCompletion(
                            keyId: item.keyId, leaseId: ticket.leaseId, windowSeconds: ticket.tokenWindowSeconds ?? 1,
                            tokens: ticket.tokenWindowSeconds == nil ? 0 : item.usage.map(Self.totalTokens) ?? 0, endedAt: item.endedAt))
                }
            } else if cost > 0, let key = try? await keys.entry(keyId: item.keyId)?.record, !key.policy.budgets.isEmpty {
                settlements.append(
                    BudgetSettlement(
                        reservationId: nil, keyId: item.keyId, costNanos: cost,
                        budgets: windows(key.policy.budgets, anchor: key.createdAt, at: item.endedAt)))
            }
        }
        return (settlements, completions)
    }

    /// What the call is charged, in nano-dollars: its cost on what it used. A call that never reached an upstream,
    /// or failed before one answered, costs nothing; a stream that broke after its head, or a client that left
    /// once the upstream had the request, costs at least its input (the upstream read the whole prompt). A call
    /// priced by its hold but answered by an unpriced model (a fallback) is charged the hold.
    func charge(_ item: PendingSettlement) -> Int64 {
        guard item.attempted else { return 0 }
        let floor = item.ticket?.worstCase?.inputNanos ?? 0
        let actual: Int64? =
            if let provider = item.provider, let model = item.model {
                costs.cost(provider: provider, model: model, usage: item.usage ?? Usage(), mode: item.mode).amount?.nanos
            } else { nil }
        guard let actual else {
            if item.ticket != nil, item.answered || item.outcome == .clientGone { return item.ticket?.worstCase?.totalNanos ?? 0 }
            return 0
        }
        switch item.outcome {
        case .success: return actual
        case .failure: return item.answered ? max(actual, floor) : 0
        case .clientGone: return max(actual, floor)
        }
    }

    func windows(_ budgets: [BudgetRule], anchor: Date, at moment: Date) -> [BudgetWindow] {
        budgets.compactMap { budget in
            // A period that does not parse refused the call at admission; one edited since is skipped here.
            guard let period = try? BudgetPeriod(parsing: budget.period) else { return nil }
            let window = period.window(containing: moment, anchor: anchor, calendarAligned: budget.calendarAligned)
            return BudgetWindow(budgetId: budget.id, limitNanos: budget.limitNanos, start: window.start, end: window.end)
        }
    }

    static func totalTokens(_ usage: Usage) -> Int {
        max(0, usage.inputTokens) + max(0, usage.cacheReadTokens) + max(0, usage.cacheWriteTokens) + max(0, usage.outputTokens)
    }
}
