import Foundation
import Testing

@testable import Stores

struct SpendStoreCase {
    let opened: OpenedStore
    let store: any SpendStore
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    init(_ backend: StoreBackend) async throws {
        opened = try await backend.open()
        store = opened.store.spend
    }

    func window(_ id: String = "daily", limit: Int64, start: Int64 = 1_749_945_600, length: Int64 = 86_400) -> BudgetWindow {
        BudgetWindow(budgetId: id, limitNanos: limit, start: start, end: start + length)
    }

    func reserve(_ id: String, _ amount: Int64, _ budgets: [BudgetWindow], at moment: Date? = nil, ttl: Double = 900) async throws
        -> BudgetReservation
    {
        let at = moment ?? now
        return try await store.reserve(id: id, keyId: "k1", amountNanos: amount, budgets: budgets, expiresAt: at + ttl, now: at)
    }

    func fiftyConcurrentReservationsAgainstABudgetOfOneAdmitExactlyOne() async throws {
        let budget = window(limit: 1_234_567)
        let outcomes = await withTaskGroup(of: BudgetReservation?.self) { group in
            for n in 0..<50 { group.addTask { try? await self.reserve("r\(n)", 1_234_567, [budget]) } }
            var all: [BudgetReservation?] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 50)
        #expect(outcomes.filter { $0 == .reserved }.count == 1)
        #expect(outcomes.filter { if case .exhausted = $0 { true } else { false } }.count == 49)
        let usage = try await store.usage(keyId: "k1", budgets: [budget], now: now)
        #expect(usage.first?.reservedNanos == 1_234_567 && usage.first?.spentNanos == 0 && usage.first?.remainingNanos == 0)
    }

    func aHoldSpansEveryBudgetOrNone() async throws {
        let roomy = window("monthly", limit: 1_000)
        let tight = window("daily", limit: 100)
        let refused = try await reserve("big", 500, [roomy, tight])
        guard case .exhausted(let usage) = refused else {
            Issue.record("expected a refusal, got \(refused)")
            return
        }
        #expect(usage.budgetId == "daily" && usage.limitNanos == 100)
        // The roomy budget holds nothing for the refused call.
        let after = try await store.usage(keyId: "k1", budgets: [roomy, tight], now: now)
        #expect(after.map(\.reservedNanos) == [0, 0])
        #expect(try await reserve("small", 60, [roomy, tight]) == .reserved)
        #expect(try await store.usage(keyId: "k1", budgets: [roomy, tight], now: now).map(\.reservedNanos) == [60, 60])
    }

    func settlingChargesTheRealCostAndFreesTheRestOfTheHold() async throws {
        let budget = window(limit: 150)
        #expect(try await reserve("a", 100, [budget]) == .reserved)
        #expect(try await reserve("b", 100, [budget]) != .reserved)
        try await store.settle([BudgetSettlement(reservationId: "a", keyId: "k1", costNanos: 30, budgets: [budget])])
        let usage = try #require(try await store.usage(keyId: "k1", budgets: [budget], now: now).first)
        #expect(usage.spentNanos == 30 && usage.reservedNanos == 0 && usage.remainingNanos == 120)
        #expect(try await reserve("b", 100, [budget]) == .reserved)
        // 30 spent + 100 held + 100 asked > 150.
        #expect(try await reserve("c", 100, [budget]) != .reserved)
        // Settling the same reservation twice releases nothing more.
        try await store.settle([BudgetSettlement(reservationId: "a", keyId: "k1", costNanos: 0, budgets: [budget])])
        #expect(try await store.usage(keyId: "k1", budgets: [budget], now: now).first?.reservedNanos == 100)
    }

    func anExpiredHoldLapsesAndItsCallIsStillCharged() async throws {
        let budget = window(limit: 100)
        #expect(try await reserve("crashed", 100, [budget], ttl: 60) == .reserved)
        #expect(try await reserve("next", 10, [budget], at: now + 30) != .reserved)
        // Past the hold's expiry the usage no longer counts it, and admission releases it.
        #expect(try await store.usage(keyId: "k1", budgets: [budget], now: now + 61).first?.reservedNanos == 0)
        #expect(try await reserve("next", 10, [budget], at: now + 61) == .reserved)
        #expect(try await store.usage(keyId: "k1", budgets: [budget], now: now + 61).first?.reservedNanos == 10)
        // The gateway that made the call was only slow: its settlement still charges what the call cost.
        try await store.settle([BudgetSettlement(reservationId: "crashed", keyId: "k1", costNanos: 40, budgets: [budget])])
        let usage = try #require(try await store.usage(keyId: "k1", budgets: [budget], now: now + 62).first)
        #expect(usage.spentNanos == 40 && usage.reservedNanos == 10)
    }

    func theSweepReleasesLapsedHoldsOfEveryKey() async throws {
        let budget = window(limit: 100)
        #expect(try await reserve("a", 70, [budget], ttl: 10) == .reserved)
        #expect(try await store.reserve(id: "b", keyId: "k2", amountNanos: 50, budgets: [budget], expiresAt: now + 10, now: now) == .reserved)
        #expect(try await store.reserve(id: "c", keyId: "k2", amountNanos: 20, budgets: [budget], expiresAt: now + 1_000, now: now) == .reserved)
        #expect(try await store.releaseExpired(now: now + 5) == 0)
        #expect(try await store.releaseExpired(now: now + 11) == 2)
        #expect(try await store.usage(keyId: "k1", budgets: [budget], now: now).first?.reservedNanos == 0)
        #expect(try await store.usage(keyId: "k2", budgets: [budget], now: now).first?.reservedNanos == 20)
        // The counters agree with the rows: k1 can hold its whole limit again.
        #expect(try await reserve("d", 100, [budget], at: now + 12) == .reserved)
    }

    func aNewWindowStartsFromNothingAndWindowsNeverMoveBack() async throws {
        let first = window(limit: 100, start: 1_749_945_600)
        let second = window(limit: 100, start: 1_749_945_600 + 86_400)
        #expect(try await reserve("a", 100, [first]) == .reserved)
        try await store.settle([BudgetSettlement(reservationId: "a", keyId: "k1", costNanos: 100, budgets: [first])])
        #expect(try await reserve("b", 1, [first]) != .reserved)
        #expect(try await store.usage(keyId: "k1", budgets: [second], now: now).first?.spentNanos == 0)
        #expect(try await reserve("c", 100, [second], at: now + 86_400) == .reserved)
        // A gateway whose clock is behind still computes the first window: it does not bring the old spend back.
        #expect(try await reserve("d", 1, [first]) != .reserved)
        let usage = try #require(try await store.usage(keyId: "k1", budgets: [second], now: now + 86_400).first)
        #expect(usage.spentNanos == 0 && usage.reservedNanos == 100)
    }

    func aHoldMadeInOneWindowSettlesIntoTheWindowItEndsIn() async throws {
        let first = window(limit: 100, start: 1_749_945_600)
        let second = window(limit: 100, start: 1_749_945_600 + 86_400)
        #expect(try await reserve("long", 80, [first]) == .reserved)
        try await store.settle([BudgetSettlement(reservationId: "long", keyId: "k1", costNanos: 70, budgets: [second])])
        let usage = try #require(try await store.usage(keyId: "k1", budgets: [second], now: now + 86_400).first)
        #expect(usage.spentNanos == 70 && usage.reservedNanos == 0)
    }

    func aChargeWithoutAHoldCountsToo() async throws {
        let budget = window(limit: 100)
        try await store.settle([BudgetSettlement(reservationId: nil, keyId: "k1", costNanos: 95, budgets: [budget])])
        #expect(try await reserve("a", 10, [budget]) != .reserved)
        #expect(try await reserve("b", 5, [budget]) == .reserved)
    }

    func amountsStayExactIntegers() async throws {
        // Near the largest amount the store takes: SQLite would turn an overflowing sum into a float.
        let huge = window(limit: Int64.max)
        #expect(try await reserve("a", Int64.max, [huge]) == .reserved)
        #expect(try await reserve("b", 1, [huge]) != .reserved)
        let usage = try #require(try await store.usage(keyId: "k1", budgets: [huge], now: now).first)
        #expect(usage.reservedNanos == SQLiteSpendStore.maxAmountNanos)
    }
}

/// The `SpendStore` contract, run against every store backend.
@Suite struct SpendStoreTests {
    @Test(arguments: StoreBackend.available) func fiftyConcurrentReservationsAgainstABudgetOfOneAdmitExactlyOne(_ backend: StoreBackend) async throws {
        try await SpendStoreCase(backend).fiftyConcurrentReservationsAgainstABudgetOfOneAdmitExactlyOne()
    }

    @Test(arguments: StoreBackend.available) func aHoldSpansEveryBudgetOrNone(_ backend: StoreBackend) async throws {
        try await SpendStoreCase(backend).aHoldSpansEveryBudgetOrNone()
    }

    @Test(arguments: StoreBackend.available) func settlingChargesTheRealCostAndFreesTheRestOfTheHold(_ backend: StoreBackend) async throws {
        try await SpendStoreCase(backend).settlingChargesTheRealCostAndFreesTheRestOfTheHold()
    }

    @Test(arguments: StoreBackend.available) func anExpiredHoldLapsesAndItsCallIsStillCharged(_ backend: StoreBackend) async throws {
        try await SpendStoreCase(backend).anExpiredHoldLapsesAndItsCallIsStillCharged()
    }

    @Test(arguments: StoreBackend.available) func theSweepReleasesLapsedHoldsOfEveryKey(_ backend: StoreBackend) async throws {
        try await SpendStoreCase(backend).theSweepReleasesLapsedHoldsOfEveryKey()
    }

    @Test(arguments: StoreBackend.available) func aNewWindowStartsFromNothingAndWindowsNeverMoveBack(_ backend: StoreBackend) async throws {
        try await SpendStoreCase(backend).aNewWindowStartsFromNothingAndWindowsNeverMoveBack()
    }

    @Test(arguments: StoreBackend.available) func aHoldMadeInOneWindowSettlesIntoTheWindowItEndsIn(_ backend: StoreBackend) async throws {
        try await SpendStoreCase(backend).aHoldMadeInOneWindowSettlesIntoTheWindowItEndsIn()
    }

    @Test(arguments: StoreBackend.available) func aChargeWithoutAHoldCountsToo(_ backend: StoreBackend) async throws {
        try await SpendStoreCase(backend).aChargeWithoutAHoldCountsToo()
    }

    @Test(arguments: StoreBackend.available) func amountsStayExactIntegers(_ backend: StoreBackend) async throws {
        try await SpendStoreCase(backend).amountsStayExactIntegers()
    }
}
