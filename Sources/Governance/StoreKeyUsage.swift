import Foundation
import Stores
import SwitchyardModel

/// A key's budgets from the budget store (spent and held by calls in flight, in the windows the plugin charges),
/// and its rate-limit window from the request log (ended calls in the current fixed window).
public struct StoreKeyUsage: KeyUsageSource {
    let spend: any SpendStore
    let log: (any RequestLogStore)?

    public init(spend: any SpendStore, log: (any RequestLogStore)?) {
        self.spend = spend
        self.log = log
    }

    public func usage(of key: VirtualKeyRecord, now: Date) async throws -> KeyUsage {
        let windows = try key.budgetWindows(at: now)
        let held = windows.isEmpty ? [] : try await spend.usage(keyId: key.id, budgets: windows, now: now)
        let budgets = held.map { used in
            KeyBudgetUsage(
                id: used.budgetId, limit: USDAmount(nanos: used.limitNanos), spent: USDAmount(nanos: used.spentNanos),
                reserved: USDAmount(nanos: used.reservedNanos),
                window: DateInterval(
                    start: Date(timeIntervalSince1970: TimeInterval(used.windowStart)),
                    end: Date(timeIntervalSince1970: TimeInterval(used.windowEnd))))
        }
        var rate: KeyRateLimitUsage?
        if let rule = key.policy.rateLimit, let log {
            let start = RateLimitAdmission.windowStart(now, windowSeconds: rule.windowSeconds)
            let window = DateInterval(start: Date(timeIntervalSince1970: TimeInterval(start)), duration: TimeInterval(max(1, rule.windowSeconds)))
            var filter = RequestLogFilter(startedFrom: window.start, startedBefore: window.end)
            filter.callerIdentities = [key.id]
            let totals = try await log.totals(filter)
            rate = KeyRateLimitUsage(window: window, requests: totals.count, tokens: totals.tokens.input + totals.tokens.output)
        }
        return KeyUsage(budgets: budgets, rateLimit: rate, source: "budget_store")
    }
}

extension VirtualKeyRecord {
    /// The key's budgets in the windows that hold `now`. Rolling windows count from the key's creation, which
    /// never changes (`KeyIssuer.update` keeps it), so every gateway computes the same windows.
    public func budgetWindows(at now: Date) throws(BudgetPeriodError) -> [BudgetWindow] {
        var windows: [BudgetWindow] = []
        windows.reserveCapacity(policy.budgets.count)
        for budget in policy.budgets {
            let period = try BudgetPeriod(parsing: budget.period)
            let window = period.window(containing: now, anchor: createdAt, calendarAligned: budget.calendarAligned)
            windows.append(BudgetWindow(budgetId: budget.id, limitNanos: budget.limitNanos, start: window.start, end: window.end))
        }
        return windows
    }
}
