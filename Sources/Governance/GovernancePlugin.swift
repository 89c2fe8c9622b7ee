import Engine
import Foundation
import Logging
import Pricing
import ServiceLifecycle
import Stores
import Synchronization
import SwitchyardModel

/// Enforces a virtual key's rules on every call it makes, first in the engine's chain: the key must be usable,
/// the provider and model allowed; for calls that spend tokens, the rate limits must admit the call and the
/// budgets must hold its worst case (`WorstCaseCost`). When the call ends the hold is settled to the real cost,
/// its tokens are counted and its lease released. Admissions and settlements go to the store through one queue
/// (`LedgerQueue`), written as one transaction per batch: a call waits for one write, shared with the calls that
/// arrived beside it, and an ended call's settlement is written before any admission queued after it.
///
/// Refusals, in the caller's dialect through `GatewayError`: `accessDenied` (expired, inactive, model not allowed,
/// unpriced model on a key with a budget), `throttled` with the wait to the window's end (requests, tokens,
/// concurrency), `quotaExceeded` (a budget cannot hold the call). Anonymous calls pass untouched.
///
/// Records of gateway-run batch jobs reserve on the budgets like any call but are not rate limited (a batch is
/// the way around on-demand limits); native batch records, which the provider reports afterwards, are charged
/// when reported. Run it as a service (it sweeps lapsed holds and drains the settlements at shutdown), or call
/// `drain()` after the server stopped.
public final class GovernancePlugin: CallPlugin, Service {
    public struct Settings: Sendable {
        /// How long a budget hold or a concurrency lease outlives a gateway that never settles it (a crash).
        public var holdSeconds: Double
        /// The output cap assumed for a request that names none, on a model the price table gives no maximum.
        public var defaultMaxOutputTokens: Int
        /// How often lapsed holds and leases, and ended rate windows, are swept.
        public var sweepInterval: Duration
        /// How long the charges of calls that ended on an allowance wait for the charges of the calls ending beside
        /// them, so that one write carries them all (one statement per allowance). The allowance's hold in the store
        /// covers the amount until then, so no gateway's budget check sees less spent than there is; a crash in this
        /// window loses these charges, as it loses any queued write. At 10 ms (about 100 writes a second) a busy key kept
        /// 0.86 of the throughput of a key without limits (`GOVERNANCE="on keys off"` in benchmarks/run.sh); at 50 ms
        /// 0.92–0.98 in single runs.
        public var chargeLinger: Duration
        /// How long a key's allowance stays on this gateway once its last call in flight ended, before what is left
        /// goes back to the store. A client calling one call after another finds it still there instead of paying
        /// two store writes a call (a give-back and a new grant); another gateway waits at most this long for room
        /// this one does not use. Zero gives it back at once.
        public var allowanceIdle: Duration

        public init(
            holdSeconds: Double = 900, defaultMaxOutputTokens: Int = 4_096, sweepInterval: Duration = .seconds(60),
            chargeLinger: Duration = .milliseconds(50), allowanceIdle: Duration = .milliseconds(250)
        ) {
            self.holdSeconds = holdSeconds
            self.defaultMaxOutputTokens = defaultMaxOutputTokens
            self.sweepInterval = sweepInterval
            self.chargeLinger = chargeLinger
            self.allowanceIdle = allowanceIdle
        }
    }

    let keys: KeyRing
    let ledger: any GovernanceLedger
    let costs: CostCalculator
    let settings: Settings
    let logger: Logger
    let now: @Sendable () -> Date
    let queue = Mutex(LedgerQueue())
    let allowances = Mutex<[String: KeyAllowance]>([:])
    /// Names this gateway's allowance holds in the store, apart from other gateways' on the same database.
    let instanceId = UUID().uuidString

    public init(
        keys: KeyRing, ledger: any GovernanceLedger, prices: PriceTable, settings: Settings = Settings(), logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.keys = keys
        self.ledger = ledger
        self.costs = CostCalculator(table: prices)
        self.settings = settings
        self.logger = logger
        self.now = now
    }

    /// What admission left for the end of the call, carried on the call's record.
    struct Ticket: Sendable {
        var keyId: String
        /// The budget hold, when the key has budgets.
        var reservationId: String?
        var worstCase: WorstCaseCost?
        var budgets: [BudgetRule]
        var anchor: Date
        var leaseId: String?
        /// Set when the key limits tokens: the call's tokens count in its window.
        var tokenWindowSeconds: Int?
        var mode: PricingMode
        /// Set when the call runs on its key's allowance instead of a hold of its own.
        var allowanceId: String?
    }

    static let ticketKey = ObjectIdentifier(Ticket.self)

    public func callWillStart(_ call: PlannedCall) async throws {
        let descriptor = call.context.descriptor
        guard let caller = descriptor.caller else { return }
        let now = self.now()
        let entry = try await lookup(caller)
        let key = entry.record
        guard key.active else { throw GatewayError(.accessDenied, "The virtual key '\(key.name)' is inactive") }
        if let expiry = key.expiresAt, now >= expiry {
            throw GatewayError(.accessDenied, "The virtual key '\(key.name)' has expired")
        }
        try checkAccess(entry.identity.access, call, key: key, requested: descriptor.modelRequested)
        guard call.metering != .none else { return }
        let rule = descriptor.billing == .batch ? nil : key.policy.rateLimit.flatMap { $0.limitsAnything ? $0 : nil }
        guard !key.policy.budgets.isEmpty || rule != nil else { return }

        let mode: PricingMode = descriptor.billing == .batch ? .batch : .standard
        let expiresAt = now.addingTimeInterval(settings.holdSeconds)
        var ticket = Ticket(
            keyId: key.id, budgets: key.policy.budgets, anchor: key.createdAt, tokenWindowSeconds: nil, mode: mode)
        if rule?.tokens == nil, rule?.maxConcurrent == nil {
            try await admitOnAllowance(call, key: key, rule: rule, ticket: ticket, now: now, expiresAt: expiresAt)
            return
        }
        let id = UUID().uuidString
        var admission = LedgerAdmission(keyId: key.id, rate: nil, hold: nil, now: now)
        if let rule {
            admission.rate = RateLimitAdmission(
                keyId: key.id, windowSeconds: max(1, rule.windowSeconds), maxRequests: rule.requests, maxTokens: rule.tokens,
                maxConcurrent: rule.maxConcurrent, leaseId: id, leaseExpiresAt: expiresAt)
        }
        if !key.policy.budgets.isEmpty {
            let worst = try worstCase(call, key: key, mode: mode)
            admission.hold = BudgetHold(id: id, amountNanos: worst.totalNanos, budgets: try windows(of: key, at: now), expiresAt: expiresAt)
            ticket.worstCase = worst
        }
        let decision: LedgerDecision
        do {
            decision = try await admit(admission)
        } catch {
            logger.error("budget and rate limit check failed", metadata: ["key": "\(key.name)", "error": "\(error)"])
            throw GatewayError(.unavailable, "The gateway cannot check the key's budget and rate limits right now; try again")
        }
        let clock = now.timeIntervalSince1970
        switch decision {
        case .admitted(let state):
            if let rule, let state { answer(RateLimitHeaders.headers(rule, state, now: clock), call.context) }
            ticket.leaseId = rule?.maxConcurrent == nil ? nil : id
            ticket.tokenWindowSeconds = rule?.tokens == nil ? nil : rule?.windowSeconds
            ticket.reservationId = admission.hold == nil ? nil : id
            call.context.update { $0.attachments[Self.ticketKey] = ticket }
        case .throttled(let limit, let state):
            guard let rule else { throw GatewayError(.unavailable, "The gateway's rate limit store refused a key without limits") }
            answer(RateLimitHeaders.headers(rule, state, now: clock), call.context)
            throw Self.throttled(limit, state, rule: rule, key: key, now: clock)
        case .exhausted(let usage, let state):
            if let rule, let state { answer(RateLimitHeaders.headers(rule, state, now: clock), call.context) }
            throw Self.exhausted(usage, key: key, worst: ticket.worstCase?.totalNanos ?? 0)
        }
    }

    /// Budgets and request counts, the usual limits, are spent from the key's allowance on this gateway: a call the
    /// allowance covers is admitted without a store write, the others wait for one grant per key and round.
    /// Token limits and caps on calls in flight need the store's count per call (`LedgerAdmission`).
    func admitOnAllowance(_ call: PlannedCall, key: VirtualKeyRecord, rule: RateLimitRule?, ticket: Ticket, now: Date, expiresAt: Date)
        async throws
    {
        var ticket = ticket
        let windowSeconds = max(1, rule?.windowSeconds ?? 60)
        let windowStart = RateLimitAdmission.windowStart(now, windowSeconds: windowSeconds)
        var nanos: Int64 = 0
        if !key.policy.budgets.isEmpty {
            let worst = try worstCase(call, key: key, mode: ticket.mode)
            nanos = min(max(0, worst.totalNanos), BudgetHold.maxAmountNanos)
            ticket.worstCase = worst
            ticket.worstCase?.totalNanos = nanos
        }
        let need = AllowanceNeed(nanos: nanos, requests: rule?.requests == nil ? 0 : 1, windowStart: windowStart)
        let policy = AllowancePolicy(budgets: key.policy.budgets, requests: rule?.requests, windowSeconds: windowSeconds)
        let (id, covered, refill) = takeFromAllowance(keyId: key.id, need: need, policy: policy)
        // Only a call the allowance does not cover, or the one that asks for its top-up, needs the budgets' windows
        // (and the key's periods checked).
        func request() throws -> AllowanceRequest {
            AllowanceRequest(
                id: id, keyId: key.id, budgets: key.policy.budgets.isEmpty ? [] : try windows(of: key, at: now), nanosAtLeast: 0,
                nanosAtMost: 0,
                requests: rule?.requests.map { AllowanceRequest.Requests(windowSeconds: windowSeconds, limit: $0, atLeast: 0, atMost: 0) },
                expiresAt: expiresAt, now: now)
        }
        let outcome: AllowanceOutcome
        if let covered {
            outcome = .admitted(covered)
            if refill {
                if let request = try? request() { queueRefill(need, request: request) } else { refillFailed(keyId: key.id) }
            }
        } else {
            let request = try request()
            do {
                outcome = try await waitForAllowance(need, request: request)
            } catch {
                logger.error("budget and rate limit check failed", metadata: ["key": "\(key.name)", "error": "\(error)"])
                throw GatewayError(.unavailable, "The gateway cannot check the key's budget and rate limits right now; try again")
            }
        }
        let clock = now.timeIntervalSince1970
        switch outcome {
        case .admitted(let state):
            if let rule, let state { answer(RateLimitHeaders.headers(rule, state, now: clock), call.context) }
            ticket.allowanceId = id
            call.context.update { $0.attachments[Self.ticketKey] = ticket }
        case .throttled(let state):
            guard let rule else { throw GatewayError(.unavailable, "The gateway's rate limit store refused a key without limits") }
            answer(RateLimitHeaders.headers(rule, state, now: clock), call.context)
            throw Self.throttled(.requests, state, rule: rule, key: key, now: clock)
        case .exhausted(let usage):
            throw Self.exhausted(usage, key: key, worst: nanos)
        }
    }

    static func exhausted(_ usage: BudgetUsage, key: VirtualKeyRecord, worst: Int64) -> GatewayError {
        let until = Date(timeIntervalSince1970: TimeInterval(usage.windowEnd)).formatted(.iso8601)
        return GatewayError(
            .quotaExceeded,
            "Budget '\(usage.budgetId)' of virtual key '\(key.name)' is exhausted: \(USDAmount(nanos: usage.spentNanos)) USD spent "
                + "and \(USDAmount(nanos: usage.reservedNanos)) USD held by calls in flight, of \(USDAmount(nanos: usage.limitNanos)) USD "
                + "until \(until); this call may cost up to \(USDAmount(nanos: worst)) USD")
    }

    public func callEnded(_ record: CallRecord) {
        let ticket = record.attachments[Self.ticketKey] as? Ticket
        guard let pending = PendingSettlement(record, ticket: ticket) else { return }
        if let ticket, let allowanceId = ticket.allowanceId {
            endOnAllowance(pending, ticket: ticket, allowanceId: allowanceId)
        } else {
            enqueue(pending)
        }
    }

    // MARK: - Admission

    func lookup(_ caller: CallerIdentity) async throws -> KeyRing.Entry {
        let entry: KeyRing.Entry?
        do {
            entry = try await keys.entry(keyId: caller.keyId)
        } catch {
            logger.error("virtual key lookup failed", metadata: ["key": "\(caller.name)", "error": "\(error)"])
            throw GatewayError(.unavailable, "The gateway cannot read its virtual keys right now; try again")
        }
        guard let entry else { throw GatewayError(.accessDenied, "The virtual key '\(caller.name)' no longer exists") }
        return entry
    }

    func checkAccess(_ access: ModelAccess, _ call: PlannedCall, key: VirtualKeyRecord, requested: String?) throws {
        // Calls without a model (provider file calls) are checked against the providers only.
        if call.model.isEmpty {
            guard access.allows(provider: call.provider) else {
                throw GatewayError(.accessDenied, "The virtual key '\(key.name)' may not use provider '\(call.provider)'")
            }
            return
        }
        guard access.allows(provider: call.provider, model: call.model, requested: requested) else {
            let name = requested ?? "\(call.provider)/\(call.model)"
            throw GatewayError(.accessDenied, "The virtual key '\(key.name)' may not use model '\(name)'")
        }
    }

    func answer(_ headers: [AnswerHeader], _ context: CallContext) {
        guard !headers.isEmpty else { return }
        context.update { $0.answerHeaders.append(contentsOf: headers) }
    }

    static func throttled(_ limit: RateLimitDecision.Limit, _ state: RateLimitState, rule: RateLimitRule, key: VirtualKeyRecord, now: Double)
        -> GatewayError
    {
        let toReset = max(0.001, Double(state.windowEnd) - now)
        let resets = "resets in \(RateLimitHeaders.duration(seconds: toReset))"
        let window = "\(max(1, rule.windowSeconds)) s"
        switch limit {
        case .requests:
            return GatewayError(
                .throttled, "Rate limit of virtual key '\(key.name)' reached: \(rule.requests ?? 0) requests per \(window) window; it \(resets)",
                retryAfterSeconds: toReset)
        case .tokens:
            return GatewayError(
                .throttled, "Token limit of virtual key '\(key.name)' reached: \(rule.tokens ?? 0) tokens per \(window) window; it \(resets)",
                retryAfterSeconds: toReset)
        case .concurrency:
            // No window ends a call in flight; a second is a fair first wait.
            return GatewayError(
                .throttled, "Virtual key '\(key.name)' already has \(state.inFlight) calls in flight, its limit \(rule.maxConcurrent ?? 0)",
                retryAfterSeconds: 1)
        }
    }

    /// The most the call can cost, which its budgets must hold.
    func worstCase(_ call: PlannedCall, key: VirtualKeyRecord, mode: PricingMode) throws -> WorstCaseCost {
        guard let worst = WorstCaseCost(call, costs: costs, mode: mode, defaultMaxOutputTokens: settings.defaultMaxOutputTokens) else {
            let model = call.context.descriptor.modelRequested ?? "\(call.provider)/\(call.model)"
            let kind = mode == .batch ? "batch price" : "price"
            throw GatewayError(
                .accessDenied,
                "The model '\(model)' has no \(kind): the virtual key '\(key.name)' has a budget and may use only priced models")
        }
        return worst
    }

    func windows(of key: VirtualKeyRecord, at now: Date) throws -> [BudgetWindow] {
        do {
            return try key.budgetWindows(at: now)
        } catch {
            throw GatewayError(.accessDenied, "The virtual key '\(key.name)' has a budget the gateway cannot apply: \(error)")
        }
    }

    // MARK: - Service

    /// Sweeps lapsed holds until shutdown, then settles what is still queued.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.sweep()
                try await Task.sleep(for: self.settings.sweepInterval)
            }
        }
        await drain()
    }

    /// Releases holds and leases that lapsed (a crashed gateway's) and forgets ended rate windows.
    public func sweep() async {
        do {
            let released = try await ledger.sweep(now: now())
            if released > 0 { logger.info("released lapsed budget holds and leases", metadata: ["released": "\(released)"]) }
        } catch {
            logger.warning("governance sweep failed", metadata: ["error": "\(error)"])
        }
    }
}

extension RateLimitRule {
    var limitsAnything: Bool { requests != nil || tokens != nil || maxConcurrent != nil }
}
