import Foundation
import Testing

@testable import Stores

struct RateLimitStoreCase {
    let opened: OpenedStore
    let store: any RateLimitStore
    /// 20 s into a minute.
    let now = Date(timeIntervalSince1970: 1_750_000_040)

    init(_ backend: StoreBackend) async throws {
        opened = try await backend.open()
        store = opened.store.rateLimits
    }

    func admission(
        requests: Int? = nil, tokens: Int? = nil, concurrent: Int? = nil, lease: String = UUID().uuidString, ttl: Double = 900
    ) -> RateLimitAdmission {
        RateLimitAdmission(
            keyId: "k1", windowSeconds: 60, maxRequests: requests, maxTokens: tokens, maxConcurrent: concurrent, leaseId: lease,
            leaseExpiresAt: now + ttl)
    }

    static func admitted(_ decision: RateLimitDecision) -> Bool {
        if case .admitted = decision { return true }
        return false
    }

    func windowsAreFixedMultiplesOfTheirLength() {
        #expect(RateLimitAdmission.windowStart(now, windowSeconds: 60) == 1_750_000_020)
        #expect(RateLimitAdmission.windowStart(Date(timeIntervalSince1970: 1_750_000_020), windowSeconds: 60) == 1_750_000_020)
        #expect(RateLimitAdmission.windowStart(Date(timeIntervalSince1970: 1_750_000_079.9), windowSeconds: 60) == 1_750_000_020)
        #expect(RateLimitAdmission.windowStart(now, windowSeconds: 3_600) == 1_749_999_600)
    }

    func aLimitOfNPerWindowAdmitsExactlyNOfManyConcurrentCalls() async throws {
        let decisions = await withTaskGroup(of: RateLimitDecision?.self) { group in
            for _ in 0..<30 { group.addTask { try? await self.store.admit(self.admission(requests: 7), now: self.now) } }
            var all: [RateLimitDecision?] = []
            for await decision in group { all.append(decision) }
            return all
        }
        #expect(decisions.compactMap { $0 }.count == 30)
        #expect(decisions.compactMap { $0 }.filter(Self.admitted).count == 7)
        guard case .refused(let limit, let state) = try await store.admit(admission(requests: 7), now: now) else {
            Issue.record("the eighth call of the window was admitted")
            return
        }
        #expect(limit == .requests && state.requestsUsed == 7)
        #expect(state.windowStart == 1_750_000_020 && state.windowEnd == 1_750_000_080)
        // The next window starts from nothing.
        let next = try await store.admit(admission(requests: 7), now: now + 40)
        guard case .admitted(let fresh) = next else {
            Issue.record("the next window refused: \(next)")
            return
        }
        #expect(fresh.requestsUsed == 1 && fresh.windowStart == 1_750_000_080)
    }

    func tokensAreCountedAtTheEndAndRefuseOnceUsedUp() async throws {
        #expect(Self.admitted(try await store.admit(admission(tokens: 100), now: now)))
        try await store.complete([RateLimitCompletion(keyId: "k1", leaseId: nil, windowSeconds: 60, tokens: 60, endedAt: now)])
        guard case .admitted(let state) = try await store.admit(admission(tokens: 100), now: now) else {
            Issue.record("60 of 100 tokens refused")
            return
        }
        #expect(state.tokensUsed == 60)
        try await store.complete([
            RateLimitCompletion(keyId: "k1", leaseId: nil, windowSeconds: 60, tokens: 30, endedAt: now),
            RateLimitCompletion(keyId: "k1", leaseId: nil, windowSeconds: 60, tokens: 10, endedAt: now + 1),
        ])
        guard case .refused(.tokens, let used) = try await store.admit(admission(tokens: 100), now: now + 2) else {
            Issue.record("100 of 100 tokens admitted")
            return
        }
        #expect(used.tokensUsed == 100)
        #expect(Self.admitted(try await store.admit(admission(tokens: 100), now: now + 40)))
    }

    func theConcurrencyCapHoldsAndAReleaseFreesASlot() async throws {
        let decisions = await withTaskGroup(of: (String, RateLimitDecision?).self) { group in
            for n in 0..<10 {
                group.addTask { ("l\(n)", try? await self.store.admit(self.admission(concurrent: 2, lease: "l\(n)"), now: self.now)) }
            }
            var all: [(String, RateLimitDecision?)] = []
            for await decision in group { all.append(decision) }
            return all
        }
        let holders = decisions.filter { $0.1.map(Self.admitted) ?? false }.map(\.0)
        #expect(holders.count == 2)
        guard case .refused(.concurrency, let state) = try await store.admit(admission(concurrent: 2), now: now) else {
            Issue.record("a third call in flight was admitted")
            return
        }
        #expect(state.inFlight == 2)
        try await store.complete([RateLimitCompletion(keyId: "k1", leaseId: holders[0], windowSeconds: 60, tokens: 0, endedAt: now)])
        // Releasing twice frees one slot, not two.
        try await store.complete([RateLimitCompletion(keyId: "k1", leaseId: holders[0], windowSeconds: 60, tokens: 0, endedAt: now)])
        #expect(Self.admitted(try await store.admit(admission(concurrent: 2), now: now)))
        #expect(!Self.admitted(try await store.admit(admission(concurrent: 2), now: now)))
    }

    func aRefusedCallCountsNothing() async throws {
        #expect(Self.admitted(try await store.admit(admission(requests: 5, concurrent: 1, lease: "first"), now: now)))
        // Refused for concurrency: its request is not counted either.
        for _ in 0..<3 { #expect(!Self.admitted(try await store.admit(admission(requests: 5, concurrent: 1), now: now))) }
        try await store.complete([RateLimitCompletion(keyId: "k1", leaseId: "first", windowSeconds: 60, tokens: 0, endedAt: now)])
        guard case .admitted(let state) = try await store.admit(admission(requests: 5, concurrent: 1), now: now) else {
            Issue.record("refused after the release")
            return
        }
        #expect(state.requestsUsed == 2 && state.inFlight == 1)
    }

    func leasesOfACrashedGatewayLapse() async throws {
        #expect(Self.admitted(try await store.admit(admission(concurrent: 1, lease: "lost", ttl: 30), now: now)))
        #expect(!Self.admitted(try await store.admit(admission(concurrent: 1), now: now + 29)))
        // Admission itself releases the key's lapsed leases.
        #expect(Self.admitted(try await store.admit(admission(concurrent: 1, lease: "new", ttl: 30), now: now + 31)))
        // The sweep does it for every key, and forgets windows that ended.
        #expect(Self.admitted(try await store.admit(admission(requests: 3), now: now)))
        #expect(try await store.sweep(now: now + 100) == 1)
        #expect(Self.admitted(try await store.admit(admission(concurrent: 1), now: now + 100)))
        // The window of `now` ended by `now + 100` and was forgotten: counting in it starts over.
        guard case .admitted(let restarted) = try await store.admit(admission(requests: 3), now: now) else {
            Issue.record("refused in a forgotten window")
            return
        }
        #expect(restarted.requestsUsed == 1)
    }
}

/// The `RateLimitStore` contract, run against every store backend.
@Suite struct RateLimitStoreTests {
    @Test(arguments: StoreBackend.available) func aLimitOfNPerWindowAdmitsExactlyNOfManyConcurrentCalls(_ backend: StoreBackend) async throws {
        try await RateLimitStoreCase(backend).aLimitOfNPerWindowAdmitsExactlyNOfManyConcurrentCalls()
    }

    @Test(arguments: StoreBackend.available) func tokensAreCountedAtTheEndAndRefuseOnceUsedUp(_ backend: StoreBackend) async throws {
        try await RateLimitStoreCase(backend).tokensAreCountedAtTheEndAndRefuseOnceUsedUp()
    }

    @Test(arguments: StoreBackend.available) func theConcurrencyCapHoldsAndAReleaseFreesASlot(_ backend: StoreBackend) async throws {
        try await RateLimitStoreCase(backend).theConcurrencyCapHoldsAndAReleaseFreesASlot()
    }

    @Test(arguments: StoreBackend.available) func aRefusedCallCountsNothing(_ backend: StoreBackend) async throws {
        try await RateLimitStoreCase(backend).aRefusedCallCountsNothing()
    }

    @Test(arguments: StoreBackend.available) func leasesOfACrashedGatewayLapse(_ backend: StoreBackend) async throws {
        try await RateLimitStoreCase(backend).leasesOfACrashedGatewayLapse()
    }
}
