import SwitchyardModel

/// The engine's view of a streamed answer: the adapter's events, with any error made safe to show a caller, and
/// what the stream says (first byte, usage, stop reason, failure) written into the call's record as it passes.
public struct EventStream: AsyncSequence, Sendable {
    public typealias Element = StreamEvent

    let upstream: ChatEventStream
    let redactor: SecretRedactor
    let call: CallContext
    /// Sees the events of a cache miss that may be stored.
    let recorder: AnswerRecorder?
    /// A cache hit: its usage is the stored answer's, not this call's, so the record takes none.
    let replayed: Bool

    init(upstream: ChatEventStream, redactor: SecretRedactor, call: CallContext, recorder: AnswerRecorder? = nil, replayed: Bool = false) {
        self.upstream = upstream
        self.redactor = redactor
        self.call = call
        self.recorder = recorder
        self.replayed = replayed
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: ChatEventStream.AsyncIterator
        let redactor: SecretRedactor
        let call: CallContext
        let recorder: AnswerRecorder?
        let replayed: Bool
        var sawFirst = false

        public mutating func next() async throws -> StreamEvent? {
            do {
                guard let event = try await base.next(isolation: #isolation) else {
                    recorder?.finished()
                    return nil
                }
                if !sawFirst {
                    sawFirst = true
                    call.observeFirstByte()
                }
                recorder?.observe(event)
                if replayed {
                    if case .blockDelta(_, .text(let text)) = event { call.observeAnswerText(text) }
                    return event
                }
                switch event {
                case .metadata(let usage, _): call.observeUsage(usage)
                case .messageStop(let reason): call.observeStop(reason.name.description)
                case .blockDelta(_, .text(let text)), .blockDelta(_, .toolInput(let text)), .blockDelta(_, .reasoningText(let text)):
                    call.observeStreamedText(text)
                default: break
                }
                return event
            } catch let error as GatewayError {
                let safe = redactor.redact(error)
                call.observeFailure(safe)
                throw safe
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: upstream.makeAsyncIterator(), redactor: redactor, call: call, recorder: recorder, replayed: replayed)
    }
}

extension SecretRedactor {
    func redact(_ error: GatewayError) -> GatewayError {
        var safe = error
        safe.message = redact(error.message)
        return safe
    }
}
