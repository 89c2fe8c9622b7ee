import SwitchyardModel

/// The engine's view of a streamed answer: the adapter's events, with any error made safe to show a caller, and
/// what the stream says (first byte, usage, stop reason, failure) written into the call's record as it passes.
public struct EventStream: AsyncSequence, Sendable {
    public typealias Element = StreamEvent

    let upstream: ChatEventStream
    let redactor: SecretRedactor
    let call: CallContext

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: ChatEventStream.AsyncIterator
        let redactor: SecretRedactor
        let call: CallContext
        var sawFirst = false

        public mutating func next() async throws -> StreamEvent? {
            do {
                guard let event = try await base.next() else { return nil }
                if !sawFirst {
                    sawFirst = true
                    call.observeFirstByte()
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
        AsyncIterator(base: upstream.makeAsyncIterator(), redactor: redactor, call: call)
    }
}

extension SecretRedactor {
    func redact(_ error: GatewayError) -> GatewayError {
        var safe = error
        safe.message = redact(error.message)
        return safe
    }
}
