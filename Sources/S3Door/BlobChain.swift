import NIOCore
import Stores

/// The bytes of several blobs one after another, read lazily: how completed multipart parts become one object
/// without holding any part in memory.
final class BlobChain: @unchecked Sendable {
    // Only `next()` touches the state, and AsyncThrowingStream(unfolding:) calls it one at a time.
    private let blobs: any BlobStore
    private var remaining: [String]
    private var current: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator?

    init(blobs: any BlobStore, blobIds: [String]) {
        self.blobs = blobs
        self.remaining = blobIds
    }

    var stream: AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream(unfolding: { try await self.next() })
    }

    func next() async throws -> ByteBuffer? {
        while true {
            if var iterator = current {
                let chunk = try await iterator.next()
                current = iterator
                if let chunk { return chunk }
                current = nil
            }
            guard !remaining.isEmpty else { return nil }
            current = try await blobs.read(blobId: remaining.removeFirst(), range: nil).makeAsyncIterator()
        }
    }
}
