import Foundation
import Synchronization
import SwitchyardModel

/// What the door knows about a call before the engine sees it; fixed for the call's life.
public struct CallDescriptor: Sendable {
    /// The id the client got back (`x-amzn-RequestId`), also the request log row's id.
    public var requestId: String
    /// The client dialect: `bedrock-runtime`, `bedrock`, `s3`, or `batch` for records the batch runner sends.
    public var door: String
    /// The door's operation name: `Converse`, `InvokeModelWithResponseStream`, `PutObject`, `BatchRecord`, …
    public var operation: String
    /// The route template, never the raw path (which holds ids).
    public var route: String
    /// The client request's HTTP method; nil for calls no HTTP request carries (batch records).
    public var httpMethod: String?
    public var modelRequested: String?
    public var stream: Bool
    public var caller: CallerIdentity?
    public var batchJobId: String?
    public var userAgent: String?
    /// The caller's W3C `traceparent`, when it sent one.
    public var traceParent: String?
    /// A provider key name that skips load balancing (`x-bf-api-key`).
    public var pinnedKey: String?
    /// Batch records are billed at batch prices.
    public var billing: Billing
    /// The caller's own upstream credentials, for the providers they are for (`Engine.begin` takes them from
    /// `DirectKeyScope` when the door sets none).
    public var directKeys: DirectKeys?
    /// The request's cache control headers (`x-swyd-cache*`, `x-bf-cache-*`, `Cache-Control`), as sent; the answer
    /// cache reads them, nothing else does.
    public var cacheControls: [AnswerHeader] = []

    public enum Billing: Sendable, Hashable {
        case standard
        case batch
    }

    public init(
        requestId: String, door: String, operation: String, route: String, modelRequested: String? = nil, stream: Bool = false,
        caller: CallerIdentity? = nil, batchJobId: String? = nil, userAgent: String? = nil, traceParent: String? = nil,
        pinnedKey: String? = nil, billing: Billing = .standard, httpMethod: String? = nil
    ) {
        self.requestId = requestId
        self.door = door
        self.operation = operation
        self.route = route
        self.modelRequested = modelRequested
        self.stream = stream
        self.caller = caller
        self.batchJobId = batchJobId
        self.userAgent = userAgent
        self.traceParent = traceParent
        self.pinnedKey = pinnedKey
        self.billing = billing
        self.httpMethod = httpMethod
    }
}

/// How a call ended, as the client saw it.
public struct CallEnd: Sendable {
    public enum Outcome: Sendable, Hashable {
        case success
        case failure
        /// The client went away before the answer was complete (a stream closed early, a cancelled request).
        case clientGone
    }

    public var outcome: Outcome
    /// The HTTP status the client got (200 for a stream that later failed inside its body).
    public var status: Int
    /// The error code as the client saw it, in its dialect (`ThrottlingException`, `NoSuchKey`).
    public var errorCode: String?

    public init(outcome: Outcome, status: Int, errorCode: String? = nil) {
        self.outcome = outcome
        self.status = status
        self.errorCode = errorCode
    }
}

/// One upstream attempt of a call (a retry or a fallback is another).
public struct AttemptRecord: Sendable {
    public var provider: String
    public var model: String
    public var keyName: String?
    public var fallbackPosition: Int
    public var startedAt: Date
    /// When the answer (non-streaming) or its head (streaming) arrived, or the attempt failed.
    public var endedAt: Date?
    public var error: GatewayError?
    /// The attempt's own span, when a tracer opened one as it started; the upstream got it as `traceparent`.
    public var trace: TraceParent?
}

/// What the engine and the adapters learn while serving a call; read by the plugins once it ends.
public struct CallRecord: Sendable {
    public var descriptor: CallDescriptor
    public let startedAt: Date
    /// The W3C trace this call belongs to: the caller's (`traceparent`) or a new one, so the request log and the
    /// spans name the same trace.
    public let trace: TraceParent
    public var endedAt: Date?
    /// Resolved by the engine; the last attempt's when there were several.
    public var provider: String?
    public var model: String?
    public var keyName: String?
    /// Upstream attempts made, across retries and fallbacks, in order.
    public var attemptLog: [AttemptRecord] = []
    public var attempts: Int { attemptLog.count }
    /// 0 for the requested model, 1 for the first fallback, …
    public var fallbackPosition: Int = 0
    /// Time spent waiting on upstreams (from each attempt's start to its answer's head, plus the body for
    /// non-streaming answers), in seconds.
    public var upstreamSeconds: Double = 0
    /// From the call's start to the first byte (streams) or the answer (non-streaming), in seconds.
    public var firstTokenSeconds: Double?
    public var usage: Usage?
    /// Set when the stream ended before the upstream reported usage (a client that left early): the output
    /// tokens are then estimated from the text that had arrived.
    public var usageIsEstimate = false
    /// Characters of answer text and tool input streamed so far, for that estimate.
    public var streamedCharacters = 0
    public var stopReason: String?
    /// Set by the engine's entry point (`complete`/`stream`, `embed`, `countTokens`); nil for calls that ask no
    /// model for anything (files, control plane) or whose body the gateway does not read (passthrough).
    public var purpose: CallPurpose?
    /// The canonical error, when the call failed (also for streams that failed after their head).
    public var error: GatewayError?
    public var end: CallEnd?
    /// Filled in only when content logging is on.
    public var requestContent: String?
    public var responseContent: String?
    /// Set (by the request log's plugin, before the first attempt) only when content logging is on: the engine then
    /// keeps up to this many bytes of answer text in `responseContent`. Nil costs the answer path nothing.
    public var contentCaptureBytes: Int?
    /// Headers a plugin wants on the client's answer, success or error (rate-limit state): set in
    /// `callWillStart`, written by the door with the head. Empty costs the answer nothing.
    public var answerHeaders: [AnswerHeader] = []
    /// What a plugin keeps about the call between its start and its end (a budget reservation, a lease), under a
    /// key of its own type; the record carries it so the plugin holds no per-call state itself.
    public var attachments: [ObjectIdentifier: any Sendable] = [:]
    /// How the answer cache treated the call; nil when no cache is configured or the call is not a chat call.
    public var cache: CacheOutcome?

    mutating func captureAnswer(_ text: String) {
        guard let limit = contentCaptureBytes else { return }
        let held = responseContent?.utf8.count ?? 0
        guard held < limit else { return }
        let room = limit - held
        let piece = text.utf8.count <= room ? text : String(decoding: text.utf8.prefix(room), as: UTF8.self)
        responseContent = (responseContent ?? "") + piece
    }

    public var latencySeconds: Double? { endedAt.map { $0.timeIntervalSince(startedAt) } }
}

/// One header of the client's answer, in the form every door's HTTP layer takes.
public struct AnswerHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One client call on its way through the gateway. The door creates it (`Engine.begin`), the engine and the
/// adapters fill it in, and the door ends it exactly once, when the client has its whole answer — for a stream,
/// after the last frame. Every plugin then sees the finished record.
public final class CallContext: Sendable, CallObserver {
    private let state: Mutex<State>
    private let plugins: [any CallPlugin]
    private let started: ContinuousClock.Instant
    /// The tracer that opened the call's span, which opens each attempt's span too.
    private let tracer: (any CallTraceSource)?
    /// The record's `trace` (fixed for the call's life), kept outside the lock: an attempt's span opens under it.
    private let trace: TraceParent

    struct State {
        var record: CallRecord
        var ended = false
        var endsWithBody = false
        var attemptStarted: ContinuousClock.Instant?
    }

    init(descriptor: CallDescriptor, plugins: [any CallPlugin]) {
        self.plugins = plugins
        self.started = .now
        let caller = descriptor.traceParent.flatMap(TraceParent.init(header:))
        // A tracer that opens the call's span now names the ids; otherwise the engine does.
        var opened: TraceParent?
        var tracer: (any CallTraceSource)?
        for case let source as any CallTraceSource in plugins {
            if let ids = source.openTrace(descriptor, caller: caller) {
                opened = ids
                tracer = source
                break
            }
        }
        self.tracer = tracer
        let trace = opened ?? caller?.child() ?? TraceParent.root()
        self.trace = trace
        self.state = Mutex(State(record: CallRecord(descriptor: descriptor, startedAt: Date(), trace: trace)))
    }

    /// A context that no plugin observes: for tools and tests that call the engine directly.
    public static func detached(_ descriptor: CallDescriptor) -> CallContext {
        CallContext(descriptor: descriptor, plugins: [])
    }

    deinit {
        // A door that lost track of its call (a task torn down mid-answer) still leaves one row behind.
        if !state.withLock(\.ended) {
            finish(CallEnd(outcome: .clientGone, status: 499, errorCode: nil))
        }
    }

    public var descriptor: CallDescriptor { state.withLock { $0.record.descriptor } }
    public var record: CallRecord { state.withLock { $0.record } }

    public func update(_ change: (inout CallRecord) -> Void) {
        state.withLock { change(&$0.record) }
    }

    /// What the plugins asked the door to put on the answer's head.
    public var answerHeaders: [AnswerHeader] { state.withLock { $0.record.answerHeaders } }

    // MARK: - What the engine reports

    /// Returns the `traceparent` header the attempt's upstream request carries when tracing is on: the attempt's
    /// own client span, so an upstream that traces joins the call's trace under it.
    @discardableResult
    func attemptStarts(provider: String, model: String, keyName: String?, fallbackPosition: Int) -> String? {
        // The tracer is called outside the lock: it takes its own.
        let span = tracer?.openAttempt(of: trace, provider: provider, model: model)
        state.withLock {
            $0.record.provider = provider
            // A call that names no model (a provider file call, a control-plane call) has none resolved: priced at
            // nothing rather than counted as an unpriced model.
            $0.record.model = model.isEmpty ? nil : model
            $0.record.keyName = keyName
            $0.record.fallbackPosition = fallbackPosition
            $0.record.attemptLog.append(
                AttemptRecord(
                    provider: provider, model: model, keyName: keyName, fallbackPosition: fallbackPosition, startedAt: Date(), trace: span))
            $0.attemptStarted = .now
        }
        return span?.header
    }

    /// The attempt has its answer (non-streaming) or its answer's head (streaming), or failed with `error`.
    func attemptAnswered(error: GatewayError? = nil) {
        let now = ContinuousClock.now
        state.withLock {
            if let begun = $0.attemptStarted {
                $0.record.upstreamSeconds += Self.seconds(now - begun)
                $0.attemptStarted = nil
            }
            if let last = $0.record.attemptLog.indices.last, $0.record.attemptLog[last].endedAt == nil {
                $0.record.attemptLog[last].endedAt = Date()
                $0.record.attemptLog[last].error = error
            }
        }
    }

    /// Text arrived on a stream; counted so that a stream cut short still has an output estimate, and kept when
    /// content logging captures answers.
    func observeStreamedText(_ text: String) {
        state.withLock {
            $0.record.streamedCharacters += text.utf8.count
            if $0.record.contentCaptureBytes != nil { $0.record.captureAnswer(text) }
        }
    }

    /// A whole (non-streaming) answer, kept only when content logging captures answers.
    func observeAnswer(_ content: [ContentPart]) {
        state.withLock {
            guard $0.record.contentCaptureBytes != nil else { return }
            for case .text(let text) in content { $0.record.captureAnswer(text) }
        }
    }

    public func observeFirstByte() {
        let elapsed = Self.seconds(ContinuousClock.now - started)
        state.withLock { if $0.record.firstTokenSeconds == nil { $0.record.firstTokenSeconds = elapsed } }
    }

    public func observeUsage(_ usage: Usage) {
        state.withLock { $0.record.usage = usage }
    }

    public func observeStop(_ reason: String) {
        state.withLock { $0.record.stopReason = reason }
    }

    public func observeFailure(_ error: GatewayError) {
        state.withLock { $0.record.error = error }
    }

    public var answerCaptureBytes: Int? { state.withLock { $0.record.contentCaptureBytes } }

    public func observeAnswerText(_ text: String) {
        state.withLock { $0.record.captureAnswer(text) }
    }

    /// A request forwarded as it came (passthrough): its own JSON is the content kept when content logging is on
    /// (the writer redacts and truncates it like any other).
    func observeRawRequest(_ request: RawRequest) {
        state.withLock {
            guard let limit = $0.record.contentCaptureBytes, $0.record.requestContent == nil else { return }
            $0.record.requestContent = request.bodyText(limit: limit)
        }
    }

    // MARK: - The end

    /// Ends the call; only the first end counts, so a door may end it on every path without double counting.
    public func finish(_ end: CallEnd, error: GatewayError? = nil) {
        let finished: CallRecord? = state.withLock {
            guard !$0.ended else { return nil }
            $0.ended = true
            $0.record.end = end
            $0.record.endedAt = Date()
            if let error { $0.record.error = error }
            if $0.record.descriptor.stream, $0.record.usage == nil, $0.record.streamedCharacters > 0 {
                // About four characters a token, the providers' own rule of thumb; marked as an estimate.
                $0.record.usage = Usage(outputTokens: ($0.record.streamedCharacters + 3) / 4)
                $0.record.usageIsEstimate = true
            }
            return $0.record
        }
        guard let finished else { return }
        for plugin in plugins { plugin.callEnded(finished) }
    }

    public var hasEnded: Bool { state.withLock(\.ended) }

    /// The answer is a body written after the handler returns (a stream, a passthrough): the body's writer ends
    /// the call, not the handler.
    public func endWithBody() { state.withLock { $0.endsWithBody = true } }
    public var endsWithBody: Bool { state.withLock(\.endsWithBody) }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
