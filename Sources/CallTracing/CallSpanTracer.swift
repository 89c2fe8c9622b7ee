import Engine
import Foundation
import Synchronization
import SwitchyardModel
import Tracing

/// The tracing link of the engine's chain: a SERVER span per call (INTERNAL for batch records, which no HTTP
/// request carries) and, under it, a CLIENT span per upstream attempt, named and attributed per the GenAI
/// semantic conventions.
///
/// swift-otel picks span ids itself, so the call's span is opened as the call begins (`openTrace`) and its ids
/// become the record's, and each attempt's span as the attempt starts (`openAttempt`), so the upstream can be sent
/// its `traceparent`; everything else — usage, outcome — is written from the finished record, with the record's
/// own timestamps, when the call ends. Handing a span to the tracer only queues it for the batch
/// span processor, so no request waits on the collector.
final class CallSpanTracer<T: Tracer>: CallPlugin, CallTraceSource {
    private let tracer: T
    private let providers: [String: GenAIProvider]
    /// Message content goes into spans only when this is on; content logging is not wired to it yet.
    private let includeContent: Bool
    private let open = Mutex<[String: T.Span]>([:])
    /// Attempts' spans, by span id, from their start to their call's end.
    private let attempts = Mutex<[String: T.Span]>([:])

    init(tracer: T, providers: [String: GenAIProvider], includeContent: Bool) {
        self.tracer = tracer
        self.providers = providers
        self.includeContent = includeContent
    }

    func openTrace(_ descriptor: CallDescriptor, caller: TraceParent?) -> TraceParent? {
        var parent = ServiceContext.topLevel
        tracer.extract(W3CHeaders(traceParent: caller), into: &parent, using: W3CHeaderExtractor())
        let name = descriptor.httpMethod.map { "\($0) \(descriptor.route)" } ?? descriptor.operation
        let span = tracer.startSpan(
            name, context: parent, ofKind: descriptor.httpMethod == nil ? .internal : .server, at: DefaultTracerClock.now)
        var headers = W3CHeaders(traceParent: nil)
        tracer.inject(span.context, into: &headers, using: W3CHeaderInjector())
        guard let own = headers.values["traceparent"].flatMap(TraceParent.init(header:)) else {
            span.end()
            return nil
        }
        open.withLock { $0[own.spanId] = span }
        return TraceParent(traceId: own.traceId, parentSpanId: caller?.spanId, spanId: own.spanId, sampled: own.sampled)
    }

    func openAttempt(of call: TraceParent, provider: String, model: String) -> TraceParent? {
        guard let parent = open.withLock({ $0[call.spanId] }) else { return nil }
        // Named when it ends, once the call's operation is known.
        let span = tracer.startSpan(model, context: parent.context, ofKind: .client, at: DefaultTracerClock.now)
        var headers = W3CHeaders(traceParent: nil)
        tracer.inject(span.context, into: &headers, using: W3CHeaderInjector())
        guard let own = headers.values["traceparent"].flatMap(TraceParent.init(header:)) else {
            span.end()
            return nil
        }
        attempts.withLock { $0[own.spanId] = span }
        return TraceParent(traceId: own.traceId, parentSpanId: call.spanId, spanId: own.spanId, sampled: own.sampled)
    }

    /// Spans still open (a call that has begun and not ended, and its attempts); for tests.
    var openSpans: Int { open.withLock(\.count) + attempts.withLock(\.count) }

    func callEnded(_ record: CallRecord) {
        guard let span = open.withLock({ $0.removeValue(forKey: record.trace.spanId) }) else { return }
        let end = Self.instant(record.endedAt ?? Date())
        let operation = GenAIOperation.name(for: record)
        for (index, attempt) in record.attemptLog.enumerated() {
            let isLast = index == record.attemptLog.count - 1
            writeAttempt(attempt, isLast: isLast, of: record, operation: operation, under: span, callEnd: end)
        }
        describeCall(record, on: span)
        span.end(at: end)
    }

    private func describeCall(_ record: CallRecord, on span: T.Span) {
        let descriptor = record.descriptor
        span.updateAttributes { attributes in
            if let method = descriptor.httpMethod {
                attributes["http.request.method"] = method
                attributes["http.route"] = descriptor.route
            }
            if let status = record.end?.status { attributes["http.response.status_code"] = status }
            attributes["switchyard.door"] = descriptor.door
            attributes["switchyard.operation"] = descriptor.operation
            attributes["switchyard.request_id"] = descriptor.requestId
            if let model = descriptor.modelRequested { attributes["switchyard.model_requested"] = model }
            if let job = descriptor.batchJobId { attributes["switchyard.batch_job_id"] = job }
            attributes["switchyard.attempts"] = record.attempts
            if record.end?.outcome == .clientGone { attributes["switchyard.client_gone"] = true }
            if let code = record.end?.errorCode { attributes["error.type"] = code }
        }
        // HTTP conventions: a server span fails on 5xx only; a 4xx was the caller's doing.
        if let status = record.end?.status, status >= 500 { span.setStatus(SpanStatus(code: .error)) }
    }

    private func writeAttempt(
        _ attempt: AttemptRecord, isLast: Bool, of record: CallRecord, operation: String, under parent: T.Span,
        callEnd: DefaultTracerClock.Instant
    ) {
        // A stream's last attempt lasts until its body is done, not until its head arrived.
        let answered = isLast && record.descriptor.stream && attempt.error == nil ? nil : attempt.endedAt.map(Self.instant)
        let name = "\(operation) \(attempt.model)"
        let span: T.Span
        if let opened = attempt.trace.flatMap({ id in attempts.withLock { $0.removeValue(forKey: id.spanId) } }) {
            span = opened
            span.operationName = name
        } else {
            span = tracer.startSpan(name, context: parent.context, ofKind: .client, at: Self.instant(attempt.startedAt))
        }
        let provider = providers[attempt.provider] ?? GenAIProvider(name: attempt.provider)
        let failure = attempt.error ?? (isLast ? record.error : nil)
        span.updateAttributes { attributes in
            attributes["gen_ai.operation.name"] = operation
            attributes["gen_ai.provider.name"] = provider.name
            attributes["gen_ai.request.model"] = attempt.model
            if let address = provider.serverAddress { attributes["server.address"] = address }
            if let port = provider.serverPort { attributes["server.port"] = port }
            if record.descriptor.stream { attributes["gen_ai.request.stream"] = true }
            attributes["switchyard.provider"] = attempt.provider
            if let key = attempt.keyName { attributes["switchyard.key_name"] = key }
            attributes["switchyard.fallback_position"] = attempt.fallbackPosition
            if let failure { attributes["error.type"] = Self.errorType(failure) }
            guard isLast, failure == nil || record.usage != nil else { return }
            attributes["gen_ai.response.model"] = record.model ?? attempt.model
            if let usage = record.usage {
                // The conventions count cached tokens as input too.
                attributes["gen_ai.usage.input_tokens"] = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens
                attributes["gen_ai.usage.output_tokens"] = usage.outputTokens
                if usage.cacheReadTokens > 0 { attributes["gen_ai.usage.cache_read.input_tokens"] = usage.cacheReadTokens }
                if usage.cacheWriteTokens > 0 {
                    attributes["gen_ai.usage.cache_creation.input_tokens"] = usage.cacheWriteTokens
                }
                if record.usageIsEstimate { attributes["switchyard.usage.estimated"] = true }
            }
            if let stop = record.stopReason { attributes["gen_ai.response.finish_reasons"] = [stop] }
            if record.descriptor.stream, let first = record.firstTokenSeconds {
                attributes["gen_ai.response.time_to_first_chunk"] = first
            }
            if self.includeContent {
                if let input = record.requestContent { attributes["gen_ai.input.messages"] = input }
                if let output = record.responseContent { attributes["gen_ai.output.messages"] = output }
            }
        }
        if failure != nil { span.setStatus(SpanStatus(code: .error)) }
        span.end(at: answered ?? callEnd)
    }

    /// A closed set (the error's kind), so no upstream text reaches the collector.
    static func errorType(_ error: GatewayError) -> String {
        if let code = error.upstreamCode { return code }
        return switch error.kind {
        case .validation: "validation"
        case .payloadTooLarge: "payload_too_large"
        case .accessDenied: "access_denied"
        case .notFound: "not_found"
        case .throttled: "throttled"
        case .timeout: "timeout"
        case .unavailable: "unavailable"
        case .internalError: "internal_error"
        case .badUpstreamAnswer: "bad_upstream_answer"
        case .streamFailed: "stream_failed"
        case .quotaExceeded: "quota_exceeded"
        }
    }

    static func instant(_ date: Date) -> DefaultTracerClock.Instant {
        DefaultTracerClock.Instant(nanosecondsSinceEpoch: UInt64(max(0, date.timeIntervalSince1970) * 1_000_000_000))
    }
}
