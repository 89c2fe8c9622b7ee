import Foundation
import Stores

/// A key's budgets as they stand (spent, held, limit, the current window): what the admin API and the CLI show.
public struct KeyUsage: Sendable {
    public let spend: any SpendStore

    public init(spend: any SpendStore) {
        self.spend = spend
    }

    /// One entry per budget of `key`, in its order. Throws `BudgetPeriodError` for a budget whose period does not
    /// parse.
    public func usage(of key: VirtualKeyRecord, now: Date = Date()) async throws -> [BudgetUsage] {
        let windows = try key.budgetWindows(at: now)
        guard !windows.isEmpty else { return [] }
        return try await spend.usage(keyId: key.id, budgets: windows, now: now)
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
