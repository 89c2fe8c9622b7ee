import NIOCore

/// A provider's download read on demand and cut to a byte range on the way. Providers that serve no ranges send the
/// whole file: the reader skips to the range and stops after it, dropping the download early. Reading only when
/// the client asks means a slow client never makes the gateway hold the file.
final class FileBackendRangeReader<Body: AsyncSequence & Sendable>: @unchecked Sendable where Body.Element == ByteBuffer {
    // Only `next()` touches the iterator and counters, and AsyncThrowingStream(unfolding:) calls it one at a time.
    private var iterator: Body.AsyncIterator?
    private var offset: Int64 = 0
    private let range: ClosedRange<Int64>?
    /// The whole file's size as indexed: a download that ends short of it is an error, not a shorter object.
    private let expectedSize: Int64?

    init(_ body: Body, range: ClosedRange<Int64>?, expectedSize: Int64?) {
        self.iterator = body.makeAsyncIterator()
        self.range = range
        self.expectedSize = expectedSize
    }

    var stream: AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream(unfolding: { try await self.next() })
    }

    func next() async throws -> ByteBuffer? {
        while iterator != nil {
            guard let chunk = try await iterator!.next() else {
                iterator = nil
                let wanted = range.map { $0.upperBound + 1 } ?? expectedSize
                if let wanted, offset < wanted {
                    throw S3Error("InternalError", 500, "The provider's download ended after \(offset) bytes, short of \(wanted).")
                }
                return nil
            }
            let start = offset
            offset += Int64(chunk.readableBytes)
            guard let range else {
                if chunk.readableBytes > 0 { return chunk }
                continue
            }
            if offset <= range.lowerBound { continue }
            let from = Int(max(range.lowerBound, start) - start)
            let to = Int(min(range.upperBound + 1, offset) - start)
            if offset > range.upperBound { iterator = nil }
            if let slice = chunk.getSlice(at: chunk.readerIndex + from, length: to - from), slice.readableBytes > 0 { return slice }
        }
        return nil
    }
}
