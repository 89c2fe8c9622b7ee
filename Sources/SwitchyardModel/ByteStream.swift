import NIOCore

/// Bytes arriving from an upstream, whatever HTTP client produced them: lets the doors stream a provider's answer
/// without knowing the client's body type.
public struct ByteStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    private let make: @Sendable () -> Iterator

    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == ByteBuffer {
        make = { Iterator(base.makeAsyncIterator()) }
    }

    public func makeAsyncIterator() -> Iterator { make() }

    public struct Iterator: AsyncIteratorProtocol {
        private var pull: () async throws -> ByteBuffer?

        init<Base: AsyncIteratorProtocol>(_ base: Base) where Base.Element == ByteBuffer {
            var base = base
            pull = { try await base.next(isolation: #isolation) }
        }

        public mutating func next() async throws -> ByteBuffer? { try await pull() }
    }
}
