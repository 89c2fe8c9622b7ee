import Foundation
import Testing

@testable import Stores

/// The ledger's one-transaction writes: what a batch of admissions decides, in order, after the batch's settlements.
struct GovernanceLedgerCase {
    let opened: OpenedStore
    let ledger: any GovernanceLedger
    let spend: any SpendStore
    let limits: any RateLimitStore
    /// 20 s into a minute.
    let now = Date(timeIntervalSince1970: 1_750_000_040)
    let budget = BudgetWindow(budgetId: "daily", limitNanos: 100, start: 1_749_945_600, end: 1_750_032_000)

    init(_ backend: StoreBackend) async throws {
        opened = try await backend.open()
        ledger = opened.store.ledger
        spend = opened.store.spend
        limits = opened.store.rateLimits
    }

    func admission(_ id: String, amount: Int64? = nil, requests: Int? = nil, concurrent: Int? = nil, ttl: Double = 900, at moment: Date? = nil)
        -> LedgerAdmission
    {
        let at = moment ?? now
        let rate =
            requests == nil && concurrent == nil
            ? nil
            : RateLimitAdmission(
                keyId: "k1", windowSeconds: 60, maxRequests: requests, maxTokens: nil, maxConcurrent: concurrent, leaseId: id,
                leaseExpiresAt: at + ttl)
        let hold = amount.map { BudgetHold(id: id, amountNanos: $0, budgets: [budget], expiresAt: at + ttl) }
        return LedgerAdmission(keyId: "k1", rate: rate, hold: hold, now: at)
    }

    func decide(_ write: LedgerWrite) async throws -> [LedgerDecision] {
        try await ledger.write(write).decisions
    }

    func held() async throws -> BudgetUsage {
        try #require(try await spend.usage(keyId: "k1", budgets: [budget], now: now).first)
    }

    func oneWriteDecidesItsAdmissionsInOrderAgainstTheLimits() async throws {
        let decisions = try await decide(LedgerWrite(admissions: (0..<5).map { admission("a\($0)", amount: 30) }))
        #expect(decisions.map(Self.admitted) == [true, true, true, false, false])
        guard case .exhausted(let usage, nil) = decisions[3] else {
            Issue.record("the fourth admission: \(decisions[3])")
            return
        }
        #expect(usage.reservedNanos == 90 && usage.limitNanos == 100)
        #expect(try await held().reservedNanos == 90)
    }

    func theSettlementsOfAWriteComeBeforeItsAdmissions() async throws {
        #expect(try await decide(LedgerWrite(admissions: [admission("first", amount: 100)])).map(Self.admitted) == [true])
        let settled = BudgetSettlement(reservationId: "first", keyId: "k1", costNanos: 40, budgets: [budget])
        let decisions = try await decide(
            LedgerWrite(settlements: [settled], admissions: [admission("second", amount: 60), admission("third", amount: 1)]))
        #expect(decisions.map(Self.admitted) == [true, false])
        let usage = try await held()
        #expect(usage.spentNanos == 40 && usage.reservedNanos == 60)
    }

    func aBudgetRefusalUndoesTheRateCountOfTheSameAdmission() async throws {
        let decisions = try await decide(
            LedgerWrite(admissions: [admission("big", amount: 500, requests: 2, concurrent: 1), admission("small", amount: 10, requests: 2, concurrent: 1)]))
        #expect(decisions.map(Self.admitted) == [false, true])
        guard case .admitted(let state?) = decisions[1] else {
            Issue.record("no rate state: \(decisions[1])")
            return
        }
        // The refused call took neither a request of the window nor the only slot in flight.
        #expect(state.requestsUsed == 1 && state.inFlight == 1)
    }

    func lapsedHoldsAndLeasesOfACrashedGatewayDoNotRefuse() async throws {
        #expect(try await decide(LedgerWrite(admissions: [admission("lost", amount: 100, concurrent: 1, ttl: 30)])).map(Self.admitted) == [true])
        #expect(try await decide(LedgerWrite(admissions: [admission("early", amount: 100, concurrent: 1, at: now + 29)])).map(Self.admitted) == [false])
        #expect(try await decide(LedgerWrite(admissions: [admission("late", amount: 100, concurrent: 1, at: now + 31)])).map(Self.admitted) == [true])
        #expect(try await held().reservedNanos == 100)
        // Only the new call's hold and lease remain for the sweep to find after they lapse too.
        #expect(try await ledger.sweep(now: now + 31 + 901) == 2)
        #expect(try await held().reservedNanos == 0)
    }

    func aThrottledAdmissionSaysWhichLimit() async throws {
        let decisions = try await decide(LedgerWrite(admissions: (0..<3).map { admission("r\($0)", requests: 2) }))
        guard case .throttled(.requests, let state) = decisions[2] else {
            Issue.record("the third request of two: \(decisions[2])")
            return
        }
        #expect(decisions.prefix(2).allSatisfy(Self.admitted) && state.requestsUsed == 2)
    }

    static func admitted(_ decision: LedgerDecision) -> Bool {
        if case .admitted = decision { true } else { false }
    }

    // MARK: - Allowances

    func grant(_ atLeast: Int64, _ atMost: Int64, requests: (Int, Int)? = nil, limit: Int = 10, id: String = "allowance:gw1:k1")
        async throws -> AllowanceGrant
    {
        let wanted = requests.map { AllowanceRequest.Requests(windowSeconds: 60, limit: limit, atLeast: $0.0, atMost: $0.1) }
        let request = AllowanceRequest(
            id: id, keyId: "k1", budgets: [budget], nanosAtLeast: atLeast, nanosAtMost: atMost, requests: wanted, expiresAt: now + 900, now: now)
        return try #require(try await ledger.write(LedgerWrite(grants: [request])).grants.first)
    }

    func anAllowanceIsGrantedFromTheRoomLeftAndRefusedBelowItsMinimum() async throws {
        #expect(try await decide(LedgerWrite(admissions: [admission("call", amount: 30)])).map(Self.admitted) == [true])
        let first = try await grant(10, 50)
        #expect(first.nanos == 50 && first.exhausted == nil)
        // 30 held by a call, 50 by the allowance: 20 left, less than asked but more than the minimum.
        #expect(try await grant(10, 50).nanos == 20)
        let refused = try await grant(1, 5)
        #expect(refused.nanos == 0 && refused.exhausted?.budgetId == "daily")
        // Another gateway's allowance counts the same way.
        #expect(try await grant(1, 5, id: "allowance:gw2:k1").nanos == 0)
        #expect(try await held().reservedNanos == 100)
    }

    func chargesMoveCostFromTheAllowanceToSpendAndReturnsFreeTheRest() async throws {
        #expect(try await grant(10, 80).nanos == 80)
        let charge = AllowanceCharge(id: "allowance:gw1:k1", keyId: "k1", costNanos: 25, budgets: [budget], expiresAt: now + 900)
        _ = try await ledger.write(LedgerWrite(charges: [charge]))
        var usage = try await held()
        #expect(usage.spentNanos == 25 && usage.reservedNanos == 55)
        let given = AllowanceReturn(
            id: "allowance:gw1:k1", keyId: "k1", nanos: 55, budgetIds: ["daily"], requests: 0, windowSeconds: 60, windowStart: 0)
        _ = try await ledger.write(LedgerWrite(returns: [given]))
        usage = try await held()
        #expect(usage.spentNanos == 25 && usage.reservedNanos == 0)
        // Returned twice: nothing more to give back, and the counter does not go below the holds.
        _ = try await ledger.write(LedgerWrite(returns: [given]))
        #expect(try await held().reservedNanos == 0)
        #expect(try await grant(75, 75).nanos == 75)
    }

    func requestAllowancesCountInTheWindowAndComeBackWithinIt() async throws {
        let first = try await grant(0, 0, requests: (1, 6))
        #expect(first.requests == 6 && first.window?.requestsUsed == 6 && !first.requestsRefused)
        #expect(try await grant(0, 0, requests: (1, 6)).requests == 4)
        let refused = try await grant(0, 0, requests: (1, 6))
        #expect(refused.requests == 0 && refused.requestsRefused && refused.window?.requestsUsed == 10)
        let start = RateLimitAdmission.windowStart(now, windowSeconds: 60)
        let given = AllowanceReturn(
            id: "allowance:gw1:k1", keyId: "k1", nanos: 0, budgetIds: [], requests: 3, windowSeconds: 60, windowStart: start)
        _ = try await ledger.write(LedgerWrite(returns: [given]))
        #expect(try await grant(0, 0, requests: (1, 6)).requests == 3)
    }
}

/// The `GovernanceLedger` contract, run against every store backend.
@Suite struct GovernanceLedgerTests {
    @Test(arguments: StoreBackend.available) func oneWriteDecidesItsAdmissionsInOrderAgainstTheLimits(_ backend: StoreBackend) async throws {
        try await GovernanceLedgerCase(backend).oneWriteDecidesItsAdmissionsInOrderAgainstTheLimits()
    }

    @Test(arguments: StoreBackend.available) func theSettlementsOfAWriteComeBeforeItsAdmissions(_ backend: StoreBackend) async throws {
        try await GovernanceLedgerCase(backend).theSettlementsOfAWriteComeBeforeItsAdmissions()
    }

    @Test(arguments: StoreBackend.available) func aBudgetRefusalUndoesTheRateCountOfTheSameAdmission(_ backend: StoreBackend) async throws {
        try await GovernanceLedgerCase(backend).aBudgetRefusalUndoesTheRateCountOfTheSameAdmission()
    }

    @Test(arguments: StoreBackend.available) func lapsedHoldsAndLeasesOfACrashedGatewayDoNotRefuse(_ backend: StoreBackend) async throws {
        try await GovernanceLedgerCase(backend).lapsedHoldsAndLeasesOfACrashedGatewayDoNotRefuse()
    }

    @Test(arguments: StoreBackend.available) func aThrottledAdmissionSaysWhichLimit(_ backend: StoreBackend) async throws {
        try await GovernanceLedgerCase(backend).aThrottledAdmissionSaysWhichLimit()
    }

    @Test(arguments: StoreBackend.available) func anAllowanceIsGrantedFromTheRoomLeftAndRefusedBelowItsMinimum(_ backend: StoreBackend) async throws {
        try await GovernanceLedgerCase(backend).anAllowanceIsGrantedFromTheRoomLeftAndRefusedBelowItsMinimum()
    }

    @Test(arguments: StoreBackend.available) func chargesMoveCostFromTheAllowanceToSpendAndReturnsFreeTheRest(_ backend: StoreBackend) async throws {
        try await GovernanceLedgerCase(backend).chargesMoveCostFromTheAllowanceToSpendAndReturnsFreeTheRest()
    }

    @Test(arguments: StoreBackend.available) func requestAllowancesCountInTheWindowAndComeBackWithinIt(_ backend: StoreBackend) async throws {
        try await GovernanceLedgerCase(backend).requestAllowancesCountInTheWindowAndComeBackWithinIt()
    }
}
