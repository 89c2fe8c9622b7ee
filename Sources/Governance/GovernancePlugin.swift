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
/// its tokens are counted and its lease released, off the caller's path (`GovernanceSettlements`).
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

        public init(holdSeconds: Double = 900, defaultMaxOutputTokens: Int = 4_096, sweepInterval: Duration = .seconds(60)) {
            self.holdSeconds = holdSeconds
            self.defaultMaxOutputTokens = defaultMaxOutputTokens
            self.sweepInterval = sweepInterval
        }
    }

    let keys: KeyRing
    let spend: any SpendStore
    let limits: any RateLimitStore
    let costs: CostCalculator
    let settings: Settings
    let logger: Logger
    let now: @Sendable () -> Date
    let queue = Mutex(SettlementQueue())

    public init(
        keys: KeyRing, spend: any SpendStore, limits: any RateLimitStore, prices: PriceTable, settings: Settings = Settings(),
        logger: Logger, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.keys = keys
        self.spend = spend
        self.limits = limits
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

        // This gateway's own settlements of the key go first, so a client calling one call after another sees
        // the last call's hold released and its lease returned.
        await settlePending(keyId: key.id)
        let mode: PricingMode = descriptor.billing == .batch ? .batch : .standard
        let id = UUID().uuidString
        var ticket = Ticket(
            keyId: key.id, budgets: key.policy.budgets, anchor: key.createdAt, tokenWindowSeconds: nil, mode: mode)
        if let rule {
            let headers: [AnswerHeader]
            (ticket.leaseId, headers) = try await admitRate(rule, key: key, leaseId: id, now: now, call: call.context)
            ticket.tokenWindowSeconds = rule.tokens == nil ? nil : rule.windowSeconds
            if !headers.isEmpty { call.context.update { $0.answerHeaders.append(contentsOf: headers) } }
        }
        if !key.policy.budgets.isEmpty {
            do {
                ticket.worstCase = try await reserve(call, key: key, id: id, mode: mode, now: now)
                ticket.reservationId = id
            } catch {
                if let lease = ticket.leaseId { await releaseLease(lease, keyId: key.id) }
                throw error
            }
        }
        call.context.update { $0.attachments[Self.ticketKey] = ticket }
    }

    public func callEnded(_ record: CallRecord) {
        guard let pending = PendingSettlement(record, ticket: record.attachments[Self.ticketKey] as? Ticket) else { return }
        enqueue(pending)
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

    /// Counts the call against the key's windows; the lease taken (when the key caps calls in flight) and the
    /// headers the answer carries.
    func admitRate(
        _ rule: RateLimitRule, key: VirtualKeyRecord, leaseId: String, now: Date, call: CallContext
    ) async throws -> (String?, [AnswerHeader]) {
        let admission = RateLimitAdmission(
            keyId: key.id, windowSeconds: max(1, rule.windowSeconds), maxRequests: rule.requests, maxTokens: rule.tokens,
            maxConcurrent: rule.maxConcurrent, leaseId: leaseId, leaseExpiresAt: now.addingTimeInterval(settings.holdSeconds))
        let decision: RateLimitDecision
        do {
            decision = try await limits.admit(admission, now: now)
        } catch {
            logger.error("rate limit check failed", metadata: ["key": "\(key.name)", "error": "\(error)"])
            throw GatewayError(.unavailable, "The gateway cannot check the key's rate limits right now; try again")
        }
        let clock = now.timeIntervalSince1970
        switch decision {
        case .admitted(let state):
            return (rule.maxConcurrent == nil ? nil : leaseId, RateLimitHeaders.headers(rule, state, now: clock))
        case .refused(let limit, let state):
            let headers = RateLimitHeaders.headers(rule, state, now: clock)
            call.update { $0.answerHeaders.append(contentsOf: headers) }
            let toReset = max(0.001, Double(state.windowEnd) - clock)
            let resets = "resets in \(RateLimitHeaders.duration(seconds: toReset))"
            let window = "\(max(1, rule.windowSeconds)) s"
            switch limit {
            case .requests:
                throw GatewayError(
                    .throttled, "Rate limit of virtual key '\(key.name)' reached: \(rule.requests ?? 0) requests per \(window) window; it \(resets)",
                    retryAfterSeconds: toReset)
            case .tokens:
                throw GatewayError(
                    .throttled, "Token limit of virtual key '\(key.name)' reached: \(rule.tokens ?? 0) tokens per \(window) window; it \(resets)",
                    retryAfterSeconds: toReset)
            case .concurrency:
                // No window ends a call in flight; a second is a fair first wait.
                throw GatewayError(
                    .throttled, "Virtual key '\(key.name)' already has \(state.inFlight) calls in flight, its limit \(rule.maxConcurrent ?? 0)",
                    retryAfterSeconds: 1)
            }
        }
    }

    /// Holds the call's worst case on all the key's budgets.
    func reserve(_ call: PlannedCall, key: VirtualKeyRecord, id: String, mode: PricingMode, now: Date) async throws -> WorstCaseCost {
        let windows: [BudgetWindow]
        do {
            windows = try key.budgetWindows(at: now)
        } catch {
            throw GatewayError(.accessDenied, "The virtual key '\(key.name)' has a budget the gateway cannot apply: \(error)")
        }
        let model = call.context.descriptor.modelRequested ?? "\(call.provider)/\(call.model)"
        guard
            let worst = WorstCaseCost(call, costs: costs, mode: mode, defaultMaxOutputTokens: settings.defaultMaxOutputTokens)
        else {
            let kind = mode == .batch ? "batch price" : "price"
            throw GatewayError(
                .accessDenied,
                "The model '\(model)' has no \(kind): the virtual key '\(key.name)' has a budget and may use only priced models")
        }
        let outcome: BudgetReservation
        do {
            outcome = try await spend.reserve(
                id: id, keyId: key.id, amountNanos: worst.totalNanos, budgets: windows,
                expiresAt: now.addingTimeInterval(settings.holdSeconds), now: now)
        } catch {
            logger.error("budget reservation failed", metadata: ["key": "\(key.name)", "error": "\(error)"])
            throw GatewayError(.unavailable, "The gateway cannot check the key's budget right now; try again")
        }
        if case .exhausted(let usage) = outcome {
            let until = Date(timeIntervalSince1970: TimeInterval(usage.windowEnd)).formatted(.iso8601)
            throw GatewayError(
                .quotaExceeded,
                "Budget '\(usage.budgetId)' of virtual key '\(key.name)' is exhausted: \(USDAmount(nanos: usage.spentNanos)) USD spent "
                    + "and \(USDAmount(nanos: usage.reservedNanos)) USD held by calls in flight, of \(USDAmount(nanos: usage.limitNanos)) USD "
                    + "until \(until); this call may cost up to \(USDAmount(nanos: worst.totalNanos)) USD")
        }
        return worst
    }

    func releaseLease(_ lease: String, keyId: String) async {
        do {
            try await limits.complete([RateLimitCompletion(keyId: keyId, leaseId: lease, windowSeconds: 1, tokens: 0, endedAt: now())])
        } catch {
            logger.warning("lease not released; it lapses by itself", metadata: ["error": "\(error)"])
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
        let now = self.now()
        do {
            let holds = try await spend.releaseExpired(now: now)
            let leases = try await limits.sweep(now: now)
            if holds + leases > 0 {
                logger.info("released lapsed budget holds and leases", metadata: ["holds": "\(holds)", "leases": "\(leases)"])
            }
        } catch {
            logger.warning("governance sweep failed", metadata: ["error": "\(error)"])
        }
    }
}

extension RateLimitRule {
    var limitsAnything: Bool { requests != nil || tokens != nil || maxConcurrent != nil }
}
