import AWSWire
import NIOCore

/// An upload body as it streams to disk: aws-chunked decoded when the client framed it so, counted against the size
/// limit and the declared length, and checked against `x-amz-checksum-crc32` (header or trailer). A failed check
/// throws from the last `next()`, before the end of the body is reported, so the store never commits the bytes.
struct S3UploadBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    struct Framing: Sendable, Hashable {
        var awsChunked: Bool
        /// Content-Length, or `x-amz-decoded-content-length` for aws-chunked.
        var declaredLength: Int64?
        /// Base64 CRC32 from the `x-amz-checksum-crc32` header.
        var headerCRC32: String?
        var limit: Int64
    }

    let base: Base
    let framing: Framing

    func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), framing: framing, decoder: framing.awsChunked ? AWSChunkedDecoder() : nil)
    }

    struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let framing: Framing
        var decoder: AWSChunkedDecoder?
        var ready: [ByteBuffer] = []
        var crc = CRC32()
        var count: Int64 = 0
        var ended = false

        mutating func next() async throws -> ByteBuffer? {
            while true {
                if !ready.isEmpty { return ready.removeFirst() }
                if ended { return nil }
                guard let input = try await base.next() else {
                    try finish()
                    ended = true
                    continue
                }
                if decoder != nil {
                    do {
                        ready = try decoder!.feed(input).filter { $0.readableBytes > 0 }
                    } catch {
                        throw S3Error("InvalidRequest", 400, "The aws-chunked body is malformed: \(error).")
                    }
                } else if input.readableBytes > 0 {
                    ready = [input]
                }
                for chunk in ready {
                    count += Int64(chunk.readableBytes)
                    crc.update(chunk)
                }
                if count > framing.limit { throw S3Error.entityTooLarge(framing.limit) }
                if let declared = framing.declaredLength, count > declared { throw Self.lengthMismatch() }
            }
        }

        private func finish() throws {
            if let decoder {
                do {
                    try decoder.finish()
                } catch {
                    throw S3Error("IncompleteBody", 400, "The request body ended before the final aws-chunked chunk.")
                }
            }
            if let declared = framing.declaredLength, count != declared { throw Self.lengthMismatch() }
            let actual = crc.base64
            for expected in [framing.headerCRC32, decoder?.trailers["x-amz-checksum-crc32"]] {
                if let expected, expected != actual { throw S3Error.badDigest("CRC32") }
            }
        }

        static func lengthMismatch() -> S3Error {
            S3Error("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
        }
    }
}
