import Foundation
import SwitchyardModel

/// Whose fault a failed request was, from a closed set so dashboards and metrics can group by it: the caller's
/// (bad input, unknown model), policy's (budget, rate limit, access), the provider's (upstream error, timeout) or
/// the gateway's own.
public enum RequestLogErrorClass: String, Sendable, Hashable, Codable, CaseIterable {
    case caller
    case policy
    case provider
    case gateway
}

/// Token counts as the log keeps them.
public struct RequestLogTokens: Sendable, Hashable, Codable {
    /// Every input token, cached ones included (OpenTelemetry's convention), so `input - cacheRead - cacheWrite`
    /// is the uncached part.
    public var input: Int
    public var output: Int
    public var cacheRead: Int
    public var cacheWrite: Int

    public init(input: Int = 0, output: Int = 0, cacheRead: Int = 0, cacheWrite: Int = 0) {
        self.input = input
        self.output = output
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
    }

    /// The canonical `Usage` counts only uncached tokens as input; the log adds the cached ones back.
    public init(_ usage: Usage) {
        self.init(
            input: usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens, output: usage.outputTokens,
            cacheRead: usage.cacheReadTokens, cacheWrite: usage.cacheWriteTokens)
    }
}

/// One row of the request log: one client request, as the client saw it. Times are kept to the microsecond.
public struct RequestLogRecord: Sendable, Hashable {
    /// The request id the client got (`x-amzn-RequestId`).
    public var id: String
    public var startedAt: Date
    public var endedAt: Date
    /// `bedrock`, `s3`, `batch`, later `v1`.
    public var door: String
    /// `Converse`, `ConverseStream`, `InvokeModel`, …
    public var operation: String
    /// The route template, not the path: `/bedrock/model/{modelId}/converse`.
    public var route: String
    public var httpStatus: Int
    /// The error code the client saw (`ValidationException`, …); a stream can fail after its 200.
    public var errorCode: String?
    public var errorClass: RequestLogErrorClass?
    public var provider: String?
    /// The configured name of the provider key used, never its value.
    public var providerKeyName: String?
    public var modelRequested: String?
    public var modelResolved: String?
    public var stream: Bool
    public var stopReason: String?
    public var tokens: RequestLogTokens
    /// The output count is an estimate from the text seen (a stream the client closed before the usage came).
    public var tokensEstimated: Bool
    /// Nil when the model has no price: unknown, never zero.
    public var cost: USDAmount?
    public var priceVersion: String?
    public var latencyMs: Int
    public var upstreamLatencyMs: Int?
    public var timeToFirstTokenMs: Int?
    public var retries: Int
    /// 0 for the model asked for, n for the n-th fallback; nil when no provider was tried.
    public var fallbackIndex: Int?
    public var batchJobId: String?
    /// Who called (a virtual key id, later); nil until callers are authenticated.
    public var callerIdentity: String?
    public var userAgent: String?
    /// The W3C trace id (32 hex digits) the call's spans carry, so a row leads to its trace.
    public var traceId: String?
    /// The request's messages and the answer, only when content logging is on, already redacted and truncated.
    public var contentIn: String?
    public var contentOut: String?
    /// The answer cache's verdict (`hit`, `miss`, `bypass`, `off`) and, for hits, which level answered.
    public var cacheOutcome: String?
    public var cacheType: String?

    public init(
        id: String, startedAt: Date, endedAt: Date, door: String, operation: String, route: String, httpStatus: Int,
        errorCode: String? = nil, errorClass: RequestLogErrorClass? = nil, provider: String? = nil,
        providerKeyName: String? = nil, modelRequested: String? = nil, modelResolved: String? = nil, stream: Bool = false,
        stopReason: String? = nil, tokens: RequestLogTokens = RequestLogTokens(), tokensEstimated: Bool = false, cost: USDAmount? = nil,
        priceVersion: String? = nil, latencyMs: Int, upstreamLatencyMs: Int? = nil, timeToFirstTokenMs: Int? = nil,
        retries: Int = 0, fallbackIndex: Int? = nil, batchJobId: String? = nil, callerIdentity: String? = nil,
        userAgent: String? = nil, traceId: String? = nil, contentIn: String? = nil, contentOut: String? = nil,
        cacheOutcome: String? = nil, cacheType: String? = nil
    ) {
        self.id = id
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.door = door
        self.operation = operation
        self.route = route
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.errorClass = errorClass
        self.provider = provider
        self.providerKeyName = providerKeyName
        self.modelRequested = modelRequested
        self.modelResolved = modelResolved
        self.stream = stream
        self.stopReason = stopReason
        self.tokens = tokens
        self.tokensEstimated = tokensEstimated
        self.cost = cost
        self.priceVersion = priceVersion
        self.latencyMs = latencyMs
        self.upstreamLatencyMs = upstreamLatencyMs
        self.timeToFirstTokenMs = timeToFirstTokenMs
        self.retries = retries
        self.fallbackIndex = fallbackIndex
        self.batchJobId = batchJobId
        self.callerIdentity = callerIdentity
        self.userAgent = userAgent
        self.traceId = traceId
        self.contentIn = contentIn
        self.contentOut = contentOut
        self.cacheOutcome = cacheOutcome
        self.cacheType = cacheType
    }

    /// A success is a status below 400 with no error code: a stream that fails after its 200 is a failure.
    public var succeeded: Bool { httpStatus < 400 && errorCode == nil }
}
