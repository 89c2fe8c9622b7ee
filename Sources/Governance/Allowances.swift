import Engine
import Foundation
import Stores

/// What one call on an allowance takes: its worst case from the budgets' room, one request from the window's.
struct AllowanceNeed: Sendable {
    var nanos: Int64
    var requests: Int
    var windowStart: Int64
}

/// The rules an allowance was granted under; a key edited since gives its room back and starts again.
struct AllowancePolicy: Sendable, Equatable {
    var budgets: [BudgetRule]
    var requests: Int?
    var windowSeconds: Int
}

/// One key's allowance on this gateway (see `AllowanceRequest`): room granted by the store and not yet used by
/// calls in flight or charged, requests left of the window's grant, and the calls running on it. When the last
/// call in flight ends, what is left goes back to the store, so an idle gateway holds nothing other gateways need.
struct KeyAllowance: Sendable {
    /// The allowance's hold id in the store (`GovernancePlugin.allowanceId`).
    let id: String
    var policy: AllowancePolicy
    var nanos: Int64 = 0
    var windowStart: Int64 = .min
    var requests = 0
    /// The window's count in the store after this gateway's last grant in it.
    var requestsUsedInStore = 0
    var inFlight = 0
    /// When the last call in flight ended; nil while calls run.
    var idleSince: ContinuousClock.Instant?
    /// A task waits to give the allowance back once it has been idle long enough (`Settings.allowanceIdle`).
    var returnScheduled = false
    /// The budgets' current windows, worked out once for the charges of the calls ending in them.
    var chargeWindows: [BudgetWindow] = []
    /// The background top-up (`GovernancePlugin.refillBelow`).
    var topUp = TopUp.none

    enum TopUp: Sendable {
        case none
        /// Queued or being written.
        case asked
        /// The last one got nothing or failed: the store has no room to spare (or is down), so no call asks again
        /// until one runs short (and waits for a grant of its own) or a new window begins.
        case stalled
    }

    init(id: String, policy: AllowancePolicy) {
        self.id = id
        self.policy = policy
    }

    /// Takes `need` if the allowance covers it.
    mutating func take(_ need: AllowanceNeed) -> Bool {
        if windowStart != need.windowStart {
            // Requests left of an earlier window ended with it.
            windowStart = need.windowStart
            requests = 0
            requestsUsedInStore = 0
            if topUp == .stalled { topUp = .none }
        }
        guard nanos >= need.nanos, requests >= need.requests else { return false }
        nanos -= need.nanos
        requests -= need.requests
        inFlight += 1
        idleSince = nil
        return true
    }

    /// There is something to give back.
    var holdsRoom: Bool { nanos > 0 || requests > 0 }

    /// Less than `calls` more calls like `need` fit: time to ask for more, before a call has to wait for it.
    func runsLow(for need: AllowanceNeed, calls: Int64) -> Bool {
        let (room, overflow) = need.nanos.multipliedReportingOverflow(by: calls)
        return (!policy.budgets.isEmpty && (overflow || nanos < room)) || (policy.requests != nil && Int64(requests) < calls)
    }

    /// The window as this gateway knows it, for the answer's rate-limit headers.
    func state(windowSeconds: Int) -> RateLimitState {
        let length = Int64(max(1, windowSeconds))
        return RateLimitState(
            windowStart: windowStart, windowEnd: windowStart + length, requestsUsed: max(0, requestsUsedInStore - requests), tokensUsed: 0,
            inFlight: inFlight)
    }

    /// What is left, when nothing runs on it: to give back.
    mutating func leftover(keyId: String) -> AllowanceReturn? {
        guard inFlight == 0, holdsRoom else { return nil }
        let given = AllowanceReturn(
            id: id, keyId: keyId, nanos: max(0, nanos), budgetIds: policy.budgets.map(\.id), requests: requests,
            windowSeconds: policy.windowSeconds, windowStart: windowStart)
        nanos = 0
        requests = 0
        return given
    }
}

/// A call waiting for its key's allowance to grow: the pump asks the store for its key once per round. Without a
/// continuation it is a top-up that no call waits for.
struct AllowanceWait: Sendable {
    var keyId: String
    var need: AllowanceNeed
    /// The request's shape for this key (its budgets in the current windows, its window); the amounts are set by
    /// the pump for everything waiting on the key.
    var request: AllowanceRequest
    var continuation: CheckedContinuation<AllowanceOutcome, any Error>?

    var isRefill: Bool { continuation == nil }
}

enum AllowanceOutcome: Sendable {
    case admitted(RateLimitState?)
    case exhausted(BudgetUsage)
    case throttled(RateLimitState)
}

extension GovernancePlugin {
    /// How much more than the calls waiting ask for a grant takes, in worst cases of the first call waiting: enough
    /// that a busy key goes to the store about once per this many calls.
    static let allowanceCalls: Int64 = 256
    /// Below room for this many more calls a busy key's allowance is topped up in the background: a grant asked
    /// for while calls still run on what is left, so they do not all stop and wait for the store's write. Half a
    /// grant: at 2 000 calls a second the write has 64 ms. With a quarter (32 ms) a busy key's calls still waited
    /// in some benchmark runs, p50 2–4 ms above a key without limits; with half, not in the runs measured
    /// (benchmarks/README.md).
    static let refillBelow: Int64 = allowanceCalls / 2

    /// `allowanceCalls` worst cases of `nanos`, within what a store holds.
    static func slack(_ nanos: Int64) -> Int64 {
        let (room, overflow) = allowanceCalls.multipliedReportingOverflow(by: max(1, nanos))
        return overflow ? BudgetHold.maxAmountNanos : min(room, BudgetHold.maxAmountNanos)
    }

    func allowanceId(_ keyId: String) -> String { "allowance:\(instanceId):\(keyId)" }

    /// Takes `need` from the key's allowance on this gateway: the allowance's hold id, whether it covered the
    /// call (then the window's state for the answer's headers, nil when the key counts no requests), and whether
    /// the caller should queue a top-up (`refill`), which it then owns.
    func takeFromAllowance(keyId: String, need: AllowanceNeed, policy: AllowancePolicy)
        -> (id: String, covered: RateLimitState??, refill: Bool)
    {
        allowances.withLock { all in
            var allowance = all[keyId] ?? KeyAllowance(id: allowanceId(keyId), policy: policy)
            if allowance.policy != policy {
                if let given = allowance.leftover(keyId: keyId) { queueReturn(given) }
                allowance = KeyAllowance(id: allowance.id, policy: policy)
            }
            defer { all[keyId] = allowance }
            guard allowance.take(need) else { return (allowance.id, .none, false) }
            let refill = allowance.topUp == .none && allowance.runsLow(for: need, calls: Self.refillBelow)
            if refill { allowance.topUp = .asked }
            return (allowance.id, .some(policy.requests == nil ? nil : allowance.state(windowSeconds: policy.windowSeconds)), refill)
        }
    }

    /// Queues a top-up of the key's allowance, which no call waits for: the next round asks for at least nothing
    /// and at most a grant's worth, so a store with less room grants what it has and refuses nothing.
    func queueRefill(_ need: AllowanceNeed, request: AllowanceRequest) {
        queue.withLock { queue in
            queue.waits.append(AllowanceWait(keyId: request.keyId, need: need, request: request, continuation: nil))
            start(&queue)
        }
    }

    /// The key's top-up could not be asked for or written. Not asked for again until a call runs short: a store
    /// that is down would otherwise see one failing write per call.
    func refillFailed(keyId: String) {
        allowances.withLock { $0[keyId]?.topUp = .stalled }
    }

    /// Waits for the round that grows the key's allowance enough for this call, or refuses it.
    func waitForAllowance(_ need: AllowanceNeed, request: AllowanceRequest) async throws -> AllowanceOutcome {
        try await withCheckedThrowingContinuation { continuation in
            queue.withLock { queue in
                queue.waits.append(AllowanceWait(keyId: request.keyId, need: need, request: request, continuation: continuation))
                start(&queue)
            }
        }
    }

    /// A call on an allowance ended: its hold's unused part is room again, its cost is charged in the next write.
    func endOnAllowance(_ pending: PendingSettlement, ticket: Ticket, allowanceId: String) {
        let cost = charge(pending)
        let held = ticket.worstCase?.totalNanos ?? 0
        let charged = cost > 0 && !ticket.budgets.isEmpty
        let moment = Int64(pending.endedAt.timeIntervalSince1970.rounded(.down))
        let idle = settings.allowanceIdle
        let (given, cached, scheduleReturn): (AllowanceReturn?, [BudgetWindow]?, Bool) = allowances.withLock { all in
            guard var allowance = all[ticket.keyId] else { return (nil, nil, false) }
            allowance.inFlight = max(0, allowance.inFlight - 1)
            let samePolicy = allowance.policy.budgets == ticket.budgets
            // Only budgets are spent from the room: a key that counts requests alone has none to spend.
            if samePolicy, !ticket.budgets.isEmpty { allowance.nanos += held - cost }
            var given: AllowanceReturn?
            var scheduleReturn = false
            if allowance.inFlight == 0 {
                if idle <= .zero {
                    given = allowance.leftover(keyId: ticket.keyId)
                } else if allowance.holdsRoom {
                    allowance.idleSince = .now
                    scheduleReturn = !allowance.returnScheduled
                    allowance.returnScheduled = true
                }
            }
            all[ticket.keyId] = allowance
            let current = allowance.chargeWindows
            let fits = samePolicy && current.count == ticket.budgets.count && current.allSatisfy { $0.start <= moment && moment < $0.end }
            return (given, fits ? current : nil, scheduleReturn)
        }
        if scheduleReturn {
            let keyId = ticket.keyId
            Task { await self.giveBackWhenIdle(keyId: keyId) }
        }
        var charge: AllowanceCharge?
        if charged {
            let budgets = cached ?? windows(ticket.budgets, anchor: ticket.anchor, at: pending.endedAt)
            if cached == nil { allowances.withLock { $0[ticket.keyId]?.chargeWindows = budgets } }
            charge = AllowanceCharge(
                id: allowanceId, keyId: ticket.keyId, costNanos: cost, budgets: budgets,
                expiresAt: pending.endedAt.addingTimeInterval(settings.holdSeconds))
        }
        guard charge != nil || given != nil else { return }
        queue.withLock { queue in
            if let charge {
                if queue.charges.isEmpty { queue.chargesSince = .now }
                queue.add(charge)
            }
            if let given { queue.returns.append(given) }
            start(&queue)
        }
    }

    /// Gives the key's allowance back once no call has run on it for `Settings.allowanceIdle`; a call that takes
    /// from it meanwhile pushes the moment on, to its own end.
    func giveBackWhenIdle(keyId: String) async {
        var wait = settings.allowanceIdle
        while true {
            try? await Task.sleep(for: wait)
            let next: Duration? = allowances.withLock { all in
                guard var allowance = all[keyId] else { return nil }
                defer { all[keyId] = allowance }
                guard allowance.inFlight == 0, let since = allowance.idleSince else {
                    // Calls run on it: the last of them to end schedules the next give-back.
                    allowance.returnScheduled = false
                    return nil
                }
                let idleFor = ContinuousClock.now - since
                if idleFor < settings.allowanceIdle { return settings.allowanceIdle - idleFor }
                allowance.returnScheduled = false
                if let given = allowance.leftover(keyId: keyId) { queueReturn(given) }
                return nil
            }
            guard let next else { return }
            wait = next
        }
    }

    /// Every idle allowance's room, queued to go back now: at shutdown (`drain`).
    func giveBackIdleAllowances() {
        let given: [AllowanceReturn] = allowances.withLock { all in
            var given: [AllowanceReturn] = []
            for (keyId, var allowance) in all {
                guard let back = allowance.leftover(keyId: keyId) else { continue }
                all[keyId] = allowance
                given.append(back)
            }
            return given
        }
        queueReturns(given)
    }

    func queueReturn(_ given: AllowanceReturn) { queueReturns([given]) }

    func queueReturns(_ given: [AllowanceReturn]) {
        guard !given.isEmpty else { return }
        queue.withLock { queue in
            queue.returns.append(contentsOf: given)
            start(&queue)
        }
    }

    /// One request per key among `waits`: at least what the first call waiting lacks, at most what all of them lack
    /// plus the slack of `allowanceCalls` first calls.
    func grantRequests(_ waits: [AllowanceWait]) -> [AllowanceRequest] {
        var order: [String] = []
        var byKey: [String: AllowanceRequest] = [:]
        var lacking: [String: (nanos: Int64, requests: Int)] = [:]
        let snapshot = allowances.withLock { all in Dictionary(uniqueKeysWithValues: Set(waits.map(\.keyId)).map { ($0, all[$0]) }) }
        for wait in waits where !wait.isRefill {
            let allowance = snapshot[wait.keyId] ?? nil
            let sameWindow = allowance?.windowStart == wait.need.windowStart
            let haveNanos = allowance?.nanos ?? 0
            let haveRequests = sameWindow ? allowance?.requests ?? 0 : 0
            if var request = byKey[wait.keyId] {
                var sum = lacking[wait.keyId]!
                sum.nanos += wait.need.nanos
                sum.requests += wait.need.requests
                lacking[wait.keyId] = sum
                request.nanosAtMost = sum.nanos - haveNanos + Self.slack(request.nanosAtLeast)
                request.requests?.atMost = max(0, sum.requests - haveRequests) + Int(Self.allowanceCalls)
                byKey[wait.keyId] = request
                continue
            }
            order.append(wait.keyId)
            var request = wait.request
            request.nanosAtLeast = max(0, wait.need.nanos - haveNanos)
            request.nanosAtMost = request.budgets.isEmpty ? 0 : request.nanosAtLeast + Self.slack(wait.need.nanos)
            if var requests = request.requests {
                requests.atLeast = max(0, wait.need.requests - haveRequests)
                requests.atMost = requests.atLeast > 0 ? requests.atLeast + Int(Self.allowanceCalls) : 0
                request.requests = requests.atMost > 0 ? requests : nil
            }
            if request.nanosAtLeast == 0 { request.nanosAtMost = 0 }
            lacking[wait.keyId] = (wait.need.nanos, wait.need.requests)
            byKey[wait.keyId] = request
        }
        // A key whose calls wait already asks for their need and a grant's worth more: its top-up is that request.
        for wait in waits where wait.isRefill && byKey[wait.keyId] == nil {
            var request = wait.request
            request.nanosAtLeast = 0
            request.nanosAtMost = request.budgets.isEmpty ? 0 : Self.slack(wait.need.nanos)
            if var requests = request.requests {
                requests.atLeast = 0
                requests.atMost = Int(Self.allowanceCalls)
                request.requests = requests
            }
            order.append(wait.keyId)
            byKey[wait.keyId] = request
        }
        return order.map { byKey[$0]! }
    }

    /// After a round's write: grants join their keys' allowances; each call waiting takes what it needs, in order. The
    /// first call of a key that still lacks and whose key's store refused is refused with the store's numbers; the
    /// others wait for the next round (which asks for them). Returns the calls still waiting.
    func settleWaits(_ waits: [AllowanceWait], grants: [String: AllowanceGrant]) -> [AllowanceWait] {
        var still: [AllowanceWait] = []
        var refusedOnce: Set<String> = []
        var answers: [(CheckedContinuation<AllowanceOutcome, any Error>, AllowanceOutcome)] = []
        var returns: [AllowanceReturn] = []
        allowances.withLock { all in
            for (keyId, grant) in grants {
                guard var allowance = all[keyId] else { continue }
                allowance.nanos += grant.nanos
                if grant.nanos > 0 || grant.requests > 0, allowance.topUp == .stalled { allowance.topUp = .none }
                if let window = grant.window {
                    if allowance.windowStart != window.windowStart {
                        allowance.windowStart = window.windowStart
                        allowance.requests = 0
                    }
                    allowance.requests += grant.requests
                    allowance.requestsUsedInStore = window.requestsUsed
                }
                all[keyId] = allowance
            }
            for wait in waits {
                guard let continuation = wait.continuation else {
                    // A top-up: its grant joined the allowance above; one that got nothing is not asked for again soon.
                    let gotNothing = grants[wait.keyId].map { $0.nanos == 0 && $0.requests == 0 } ?? true
                    all[wait.keyId]?.topUp = gotNothing ? .stalled : .none
                    continue
                }
                guard var allowance = all[wait.keyId] else {
                    still.append(wait)
                    continue
                }
                let policy = allowance.policy
                if allowance.take(wait.need) {
                    all[wait.keyId] = allowance
                    answers.append((continuation, .admitted(policy.requests == nil ? nil : allowance.state(windowSeconds: policy.windowSeconds))))
                    continue
                }
                all[wait.keyId] = allowance
                let grant = grants[wait.keyId]
                if let grant, grant.requestsRefused, let window = grant.window, wait.need.requests > 0 {
                    // No request fits the window: every call of the key waiting for one is refused.
                    answers.append((continuation, .throttled(window)))
                } else if let grant, let usage = grant.exhausted, !refusedOnce.contains(wait.keyId) {
                    refusedOnce.insert(wait.keyId)
                    answers.append((continuation, .exhausted(usage)))
                } else {
                    still.append(wait)
                }
            }
            let waiting = Set(still.map(\.keyId))
            for keyId in grants.keys where !waiting.contains(keyId) {
                if var allowance = all[keyId], let given = allowance.leftover(keyId: keyId) {
                    all[keyId] = allowance
                    returns.append(given)
                }
            }
        }
        // The pump that called this is running: the returns go into its next round.
        queueReturns(returns)
        for (continuation, outcome) in answers { continuation.resume(returning: outcome) }
        return still
    }
}
