import AWSWire
import NIOCore
import Synchronization

/// An upload body as it streams to disk: aws-chunked decoded when the client framed it so, counted against the size
/// limit and the declared length, and checked against `x-amz-checksum-crc32` (header or trailer). A failed check
/// throws from the last `next()`, before the end of the body is reported, so the store never commits the bytes.
/// A hex `x-amz-content-sha256` (the payload hash the caller's signature covers) is checked the same way.
/// A connection that breaks mid-body (too few bytes, bad chunked framing) is the client's `IncompleteBody`. The
/// failure is also kept in `failure`: a provider backend that streams the body upstream reports it as its own
/// upload failure, and the door answers with the body's error instead.
struct S3UploadBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    struct Framing: Sendable, Hashable {
        var awsChunked: Bool
        /// Content-Length, or `x-amz-decoded-content-length` for aws-chunked.
        var declaredLength: Int64?
        /// Base64 CRC32 from the `x-amz-checksum-crc32` header.
        var headerCRC32: String?
        var limit: Int64
        /// A hex digest from `x-amz-content-sha256` (not its literals, which sign no bytes), lower-cased.
        var contentSHA256: String? = nil
    }

    let base: Base
    let framing: Framing
    private let failed = FailureBox()

    init(base: Base, framing: Framing) {
        self.base = base
        self.framing = framing
    }

    /// The error the body threw, if it threw one.
    var failure: S3Error? { failed.error.withLock { $0 } }

    /// Runs `store` with this body; when it fails because the body did, throws the body's own error.
    func blamingBody<T>(_ store: () async throws -> T) async throws -> T {
        do {
            return try await store()
        } catch {
            throw failure ?? error
        }
    }

    func makeAsyncIterator() -> Iterator {
        Iterator(
            base: base.makeAsyncIterator(), framing: framing, decoder: framing.awsChunked ? AWSChunkedDecoder() : nil,
            failed: failed)
    }

    final class FailureBox: Sendable {
        let error = Mutex<S3Error?>(nil)
    }

    struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let framing: Framing
        var decoder: AWSChunkedDecoder?
        var ready: [ByteBuffer] = []
        var crc = CRC32()
        var sha256: PayloadSHA256?
        var count: Int64 = 0
        var ended = false
        let failed: FailureBox

        init(base: Base.AsyncIterator, framing: Framing, decoder: AWSChunkedDecoder?, failed: FailureBox) {
            self.base = base
            self.framing = framing
            self.decoder = decoder
            self.failed = failed
            self.sha256 = framing.contentSHA256 == nil ? nil : PayloadSHA256()
        }

        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await decodedNext()
            } catch {
                let failure = error as? S3Error ?? Self.brokenBody()
                failed.error.withLock { $0 = failure }
                throw failure
            }
        }

        private mutating func decodedNext() async throws -> ByteBuffer? {
            while true {
                if !ready.isEmpty { return ready.removeFirst() }
                if ended { return nil }
                guard let input = try await base.next(isolation: #isolation) else {
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
                    sha256?.update(chunk)
                }
                if count > framing.limit { throw S3Error.entityTooLarge(framing.limit) }
                if let declared = framing.declaredLength, count > declared { throw Self.lengthMismatch() }
                if let declared = framing.declaredLength, count == declared, !ready.isEmpty { try await readToEnd() }
            }
        }

        /// The declared length has arrived: the rest of the request (aws-chunked's final chunk and trailer, the
        /// HTTP framing's end) is read and checked before the last bytes go on. An upstream that answers as soon
        /// as it has every byte (S3) would otherwise be answered to the client while the request still sat
        /// half-read on the connection, which then closed under the client; and the trailer's checksum would
        /// never be checked.
        private mutating func readToEnd() async throws {
            while let input = try await base.next(isolation: #isolation) {
                var more: [ByteBuffer] = []
                if decoder != nil {
                    do {
                        more = try decoder!.feed(input).filter { $0.readableBytes > 0 }
                    } catch {
                        throw S3Error("InvalidRequest", 400, "The aws-chunked body is malformed: \(error).")
                    }
                } else if input.readableBytes > 0 {
                    more = [input]
                }
                if !more.isEmpty { throw Self.lengthMismatch() }
            }
            try finish()
            ended = true
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
            // The signed digest first: it is what the caller's signature vouches for.
            if let expected = framing.contentSHA256, let sha256, sha256.hex() != expected {
                throw S3Error("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.")
            }
            let actual = crc.base64
            for expected in [framing.headerCRC32, decoder?.trailers["x-amz-checksum-crc32"]] {
                if let expected, expected != actual { throw S3Error.badDigest("CRC32") }
            }
        }

        /// The connection failed mid-body: the client closed early or broke the chunked framing.
        static func brokenBody() -> S3Error {
            S3Error("IncompleteBody", 400, "The request body could not be read whole: the connection ended early or its chunked framing is malformed.")
        }

        static func lengthMismatch() -> S3Error {
            S3Error("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
        }
    }
}
