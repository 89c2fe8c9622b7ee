#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// An open blob read chunk by chunk on demand, so a slow client never makes the gateway buffer the file. The open
/// descriptor keeps the bytes readable even if the blob is deleted or replaced meanwhile.
final class BlobReader: @unchecked Sendable {
    // Only `next()` touches the cursor, and AsyncThrowingStream(unfolding:) calls it one at a time.
    private var fd: Int32
    private var offset: Int64
    private let end: Int64
    private let path: String
    private let chunkSize: Int
    private let threadPool: NIOThreadPool

    init(fd: Int32, path: String, from offset: Int64, upTo end: Int64, chunkSize: Int, threadPool: NIOThreadPool) {
        self.fd = fd
        self.path = path
        self.offset = offset
        self.end = end
        self.chunkSize = chunkSize
        self.threadPool = threadPool
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func next() async throws -> ByteBuffer? {
        guard fd >= 0, offset < end else {
            closeNow()
            return nil
        }
        let count = Int(min(Int64(chunkSize), end - offset))
        let (fd, at, path) = (self.fd, self.offset, self.path)
        let chunk = try await threadPool.runIfActive { () -> ByteBuffer in
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            let read = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
                try POSIX.readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: bytes[..<count]), at: at, path: path)
            }
            if read < count { throw BlobStoreError.notFound(path) }
            return buffer
        }
        offset += Int64(chunk.readableBytes)
        return chunk
    }

    private func closeNow() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }
}
