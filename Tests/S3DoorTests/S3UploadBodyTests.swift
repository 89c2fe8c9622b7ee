import AWSWire
import NIOCore
import Synchronization
import Testing

@testable import S3Door

/// An upload's last bytes go on only once the whole request was read: an upstream that answers as soon as it has
/// every byte must not leave the client's aws-chunked trailer unread on the connection (the connection then
/// closed under the client), and the trailer's checksum is checked before the upload counts.
@Suite struct S3UploadBodyTests {
    /// The request body as the connection delivers it, remembering whether it was read to its end.
    struct Pieces: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let pieces: [ByteBuffer]
        let drained = Drained()

        final class Drained: Sendable {
            let flag = Mutex(false)
            var value: Bool { flag.withLock { $0 } }
        }

        struct AsyncIterator: AsyncIteratorProtocol {
            var rest: [ByteBuffer]
            let drained: Drained
            mutating func next() async throws -> ByteBuffer? {
                guard !rest.isEmpty else {
                    drained.flag.withLock { $0 = true }
                    return nil
                }
                return rest.removeFirst()
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: pieces, drained: drained) }
    }

    static let data = ByteBuffer(string: String(repeating: "payload ", count: 64))

    static func chunked(trailerCRC: String) -> [ByteBuffer] {
        let hex = String(data.readableBytes, radix: 16)
        return [
            ByteBuffer(string: "\(hex)\r\n") , data, ByteBuffer(string: "\r\n"),
            ByteBuffer(string: "0\r\nx-amz-checksum-crc32:\(trailerCRC)\r\n\r\n"),
        ]
    }

    static func crc() -> String {
        var crc = CRC32()
        crc.update(data)
        return crc.base64
    }

    static func body(_ pieces: Pieces) -> S3UploadBody<Pieces> {
        S3UploadBody(
            base: pieces,
            framing: .init(awsChunked: true, declaredLength: Int64(data.readableBytes), headerCRC32: nil, limit: 1 << 20))
    }

    @Test func theLastBytesComeOnlyOnceTheTrailerWasRead() async throws {
        let pieces = Pieces(pieces: Self.chunked(trailerCRC: Self.crc()))
        var iterator = Self.body(pieces).makeAsyncIterator()
        var received = 0
        while received < Self.data.readableBytes, let chunk = try await iterator.next() {
            received += chunk.readableBytes
        }
        #expect(received == Self.data.readableBytes)
        // The consumer (AsyncHTTPClient sending to S3) has every byte; the request was read whole by then.
        #expect(pieces.drained.value)
        #expect(try await iterator.next() == nil)
    }

    @Test func aBadTrailerFailsBeforeTheLastBytesGoOn() async throws {
        let pieces = Pieces(pieces: Self.chunked(trailerCRC: "AAAAAA=="))
        var iterator = Self.body(pieces).makeAsyncIterator()
        await #expect(throws: S3Error.self) {
            while try await iterator.next() != nil {}
        }
        var fresh = Self.body(Pieces(pieces: Self.chunked(trailerCRC: "AAAAAA=="))).makeAsyncIterator()
        var received = 0
        do {
            while let chunk = try await fresh.next() { received += chunk.readableBytes }
        } catch {}
        #expect(received == 0, "no byte of a body whose checksum fails reaches the upstream")
    }
}
