import SwitchyardModel

/// The engine's view of a streamed answer: the adapter's events, with any error made safe to show a caller.
public struct EventStream: AsyncSequence, Sendable {
    public typealias Element = StreamEvent

    let upstream: ChatEventStream
    let redactor: SecretRedactor

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: ChatEventStream.AsyncIterator
        let redactor: SecretRedactor

        public mutating func next() async throws -> StreamEvent? {
            do {
                return try await base.next()
            } catch let error as GatewayError {
                throw redactor.redact(error)
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: upstream.makeAsyncIterator(), redactor: redactor)
    }
}

extension SecretRedactor {
    func redact(_ error: GatewayError) -> GatewayError {
        var safe = error
        safe.message = redact(error.message)
        return safe
    }
}
