import Foundation
import Stores
import SwitchyardModel

/// Usage read back from the request log: the cost, tokens and calls of a key's rows (`callerIdentity` = key id)
/// in each budget's current window and the rate limit's. It sees calls once they ended and were written, and no
/// reservations; the budget store replaces it when it lands.
public struct RequestLogKeyUsage: KeyUsageSource {
    let log: any RequestLogStore

    public init(log: any RequestLogStore) {
        self.log = log
    }

    public func usage(of key: VirtualKeyRecord, now: Date) async throws -> KeyUsage {
        var budgets: [BudgetUsage] = []
        for rule in key.policy.budgets {
            // Rolling windows are laid from the key's creation: the budget store keeps its own start per budget.
            let window = try BudgetPeriod(parsing: rule.period).window(containing: now, anchor: key.createdAt, calendarAligned: rule.calendarAligned)
            let totals = try await log.totals(filter(key, window))
            budgets.append(BudgetUsage(id: rule.id, limit: USDAmount(nanos: rule.limitNanos), spent: totals.cost, window: window))
        }
        var rate: RateLimitUsage?
        if let rule = key.policy.rateLimit {
            // Fixed windows counted from 1970, as the rate limiter counts them.
            let seconds = Double(rule.windowSeconds)
            let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / seconds).rounded(.down) * seconds)
            let window = DateInterval(start: start, duration: seconds)
            let totals = try await log.totals(filter(key, window))
            rate = RateLimitUsage(window: window, requests: totals.count, tokens: totals.tokens.input + totals.tokens.output)
        }
        return KeyUsage(budgets: budgets, rateLimit: rate, source: "request_log")
    }

    private func filter(_ key: VirtualKeyRecord, _ window: DateInterval) -> RequestLogFilter {
        var filter = RequestLogFilter(startedFrom: window.start, startedBefore: window.end)
        filter.callerIdentities = [key.id]
        return filter
    }
}
