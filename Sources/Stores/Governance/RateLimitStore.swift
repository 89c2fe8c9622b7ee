import Foundation

/// What one call asks of a key's rate limits: fixed windows of `windowSeconds` (`floor(now / window)`), a request
/// count and a token count per window, and a cap on calls in flight (a lease per call).
public struct RateLimitAdmission: Sendable, Hashable {
    public var keyId: String
    public var windowSeconds: Int
    public var maxRequests: Int?
    public var maxTokens: Int?
    public var maxConcurrent: Int?
    /// The lease taken when `maxConcurrent` is set; it lapses at `leaseExpiresAt` if never released.
    public var leaseId: String
    public var leaseExpiresAt: Date

    public init(
        keyId: String, windowSeconds: Int, maxRequests: Int?, maxTokens: Int?, maxConcurrent: Int?, leaseId: String, leaseExpiresAt: Date
    ) {
        self.keyId = keyId
        self.windowSeconds = windowSeconds
        self.maxRequests = maxRequests
        self.maxTokens = maxTokens
        self.maxConcurrent = maxConcurrent
        self.leaseId = leaseId
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// A key's window as admission left it (this call counted when it was admitted).
public struct RateLimitState: Sendable, Hashable {
    /// Whole seconds since 1970.
    public var windowStart: Int64
    public var windowEnd: Int64
    public var requestsUsed: Int
    public var tokensUsed: Int
    public var inFlight: Int

    public init(windowStart: Int64, windowEnd: Int64, requestsUsed: Int, tokensUsed: Int, inFlight: Int) {
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.requestsUsed = requestsUsed
        self.tokensUsed = tokensUsed
        self.inFlight = inFlight
    }
}

public enum RateLimitDecision: Sendable, Hashable {
    public enum Limit: String, Sendable, Hashable {
        case requests
        case tokens
        case concurrency
    }

    case admitted(RateLimitState)
    /// Nothing was counted or leased.
    case refused(Limit, RateLimitState)
}

/// The end of an admitted call: its lease released, its tokens counted in the window it ended in.
public struct RateLimitCompletion: Sendable, Hashable {
    public var keyId: String
    public var leaseId: String?
    public var windowSeconds: Int
    public var tokens: Int
    public var endedAt: Date

    public init(keyId: String, leaseId: String?, windowSeconds: Int, tokens: Int, endedAt: Date) {
        self.keyId = keyId
        self.leaseId = leaseId
        self.windowSeconds = windowSeconds
        self.tokens = tokens
        self.endedAt = endedAt
    }
}

/// Where rate limits count. Like `SpendStore`, every decision is a conditional update inside one transaction and
/// nothing lives in one process's memory, so several gateways on one database share the limits. Tokens are known
/// only once a call ends: admission refuses a window whose tokens are already used up, and completions add them.
public protocol RateLimitStore: Sendable {
    /// Counts the request and takes the lease, or refuses and changes nothing (leases of the key that expired
    /// by `now` never cause a refusal: they are released when they would).
    func admit(_ admission: RateLimitAdmission, now: Date) async throws -> RateLimitDecision
    /// Applies completions in one transaction; a lease already released or lapsed is ignored.
    func complete(_ completions: [RateLimitCompletion]) async throws
    /// Releases leases that expired by `now` and forgets windows that ended before `now`; returns the leases
    /// released.
    func sweep(now: Date) async throws -> Int
}

extension RateLimitAdmission {
    /// `floor(now / window)`, in whole seconds since 1970.
    public static func windowStart(_ now: Date, windowSeconds: Int) -> Int64 {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let window = Int64(max(1, windowSeconds))
        let (quotient, remainder) = seconds.quotientAndRemainder(dividingBy: window)
        return (remainder < 0 ? quotient - 1 : quotient) * window
    }
}
