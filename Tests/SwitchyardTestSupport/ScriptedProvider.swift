import NIOCore
import SwitchyardModel
import Synchronization

/// An upstream that answers from a script instead of the network, and remembers every target it was called with.
///
/// Each call takes the next step of the script (`succeed` once the script is empty); a step may fail the call, fail
/// a stream after some events, or wait first. Answers come from the configured `answer`, `events`, `tokenCount`,
/// `embedding` and passthrough settings, so one provider serves every entry point of the engine.
public final class ScriptedProvider: ChatProvider, TokenCountingProvider, EmbeddingProvider, PassthroughProvider, Sendable {
    public indirect enum Step: Sendable {
        case succeed
        case fail(GatewayError)
        /// A stream whose head arrives, then `events`, then `error` inside the body.
        case failStream(after: [StreamEvent], GatewayError)
        /// Waits (cancellably) before taking `step`.
        case delayed(Duration, Step)
        /// Throws what a cancelled upstream call throws: the server cancelled the handler (shutdown).
        case cancelled
    }

    /// One call the provider received.
    public struct Call: Sendable {
        /// `complete`, `stream`, `countTokens`, `embed` or `passthrough`.
        public var operation: String
        public var target: UpstreamTarget
        public var request: ChatRequest?
    }

    public struct Answers: Sendable {
        public var answer: ChatResponse
        public var events: [StreamEvent]
        public var tokenCount: Int
        public var embedding: EmbeddingResponse
        /// Dialects passthrough is offered for; empty means the engine must translate.
        public var passthroughDialects: Set<String>
        public var passthroughBody: String
        /// What the passthrough reports to the call's observer, as a real adapter reads it from the passing answer.
        public var passthroughUsage: Usage?
        public var passthroughStop: String?

        public init(
            answer: ChatResponse = ScriptedProvider.defaultAnswer, events: [StreamEvent] = ScriptedProvider.defaultEvents,
            tokenCount: Int = 7, embedding: EmbeddingResponse = EmbeddingResponse(vectors: [[0.5, 0.25]], inputTokens: 4, latencyMs: 1),
            passthroughDialects: Set<String> = [], passthroughBody: String = "{}", passthroughUsage: Usage? = nil,
            passthroughStop: String? = nil
        ) {
            self.answer = answer
            self.events = events
            self.tokenCount = tokenCount
            self.embedding = embedding
            self.passthroughDialects = passthroughDialects
            self.passthroughBody = passthroughBody
            self.passthroughUsage = passthroughUsage
            self.passthroughStop = passthroughStop
        }
    }

    public static let defaultAnswer = ChatResponse(
        content: [.text("ok")], stopReason: .endTurn, usage: Usage(inputTokens: 11, outputTokens: 3), latencyMs: 1)

    public static let defaultEvents: [StreamEvent] = [
        .messageStart(.assistant), .blockDelta(index: 0, .text("Hello")), .blockDelta(index: 0, .text(" there")),
        .blockStop(index: 0), .messageStop(.endTurn), .metadata(Usage(inputTokens: 9, outputTokens: 2), latencyMs: 1),
    ]

    private let state: Mutex<(script: [Step], calls: [Call])>
    public let answers: Answers

    public init(_ script: [Step] = [], answers: Answers = Answers()) {
        state = Mutex((script, []))
        self.answers = answers
    }

    /// A script of plain failures (nil for a success), the shape most retry tests need.
    public convenience init(failures: [GatewayError?], answers: Answers = Answers()) {
        self.init(failures.map { $0.map(Step.fail) ?? .succeed }, answers: answers)
    }

    public var calls: [Call] { state.withLock { $0.calls } }
    /// The API key each call carried (`-` for none), in order.
    public var keysUsed: [String] { calls.map { $0.target.apiKey ?? "-" } }
    public var modelsUsed: [String] { calls.map(\.target.model) }
    public var operations: [String] { calls.map(\.operation) }

    /// Records the call and plays its step up to the point where the answer is produced; returns the events a
    /// stream fails after, with its error.
    private func take(_ operation: String, _ target: UpstreamTarget, _ request: ChatRequest?) async throws -> (
        events: [StreamEvent], error: GatewayError
    )? {
        var step: Step = state.withLock { state in
            state.calls.append(Call(operation: operation, target: target, request: request))
            return state.script.isEmpty ? .succeed : state.script.removeFirst()
        }
        while true {
            switch step {
            case .succeed: return nil
            case .fail(let error): throw error
            case .cancelled: throw CancellationError()
            case .failStream(let events, let error): return (events, error)
            case .delayed(let wait, let next):
                try await Task.sleep(for: wait)
                step = next
            }
        }
    }

    public func complete(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatResponse {
        if let failing = try await take("complete", target, request) { throw failing.error }
        return answers.answer
    }

    public func stream(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatEventStream {
        let failing = try await take("stream", target, request)
        let events = failing?.events ?? answers.events
        return ChatEventStream { continuation in
            for event in events { continuation.yield(event) }
            continuation.finish(throwing: failing?.error)
        }
    }

    public func countTokens(_ request: ChatRequest, target: UpstreamTarget) async throws -> Int {
        if let failing = try await take("countTokens", target, request) { throw failing.error }
        return answers.tokenCount
    }

    public func embed(_ request: EmbeddingRequest, target: UpstreamTarget) async throws -> EmbeddingResponse {
        if let failing = try await take("embed", target, nil) { throw failing.error }
        return answers.embedding
    }

    public func speaks(_ dialect: String) -> Bool { answers.passthroughDialects.contains(dialect) }

    public func passthrough(_ request: RawRequest, target: UpstreamTarget, observer: any CallObserver) async throws -> RawResponse {
        let failing = try await take("passthrough", target, nil)
        let answers = self.answers
        let body = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            observer.observeFirstByte()
            continuation.yield(ByteBuffer(string: answers.passthroughBody))
            if let usage = answers.passthroughUsage { observer.observeUsage(usage) }
            if let stop = answers.passthroughStop { observer.observeStop(stop) }
            if let failing { observer.observeFailure(failing.error) }
            continuation.finish()
        }
        return RawResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }
}
