import AWSWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore
import NIOPosix

/// Blobs as files under `<dataDir>/objects/<ab>/<blobId>`. Every system call runs on a thread pool, never on an event
/// loop. Names are random hex made here, never derived from user input, so nothing a client sends can reach a path.
public struct DiskBlobStore: BlobStore {
    public let dataDir: String
    let threadPool: NIOThreadPool
    /// Size of the chunks `read` yields.
    public static let readChunkSize = 64 * 1024
    /// Incoming buffers are gathered to this size before each write, to keep thread-pool hops few.
    static let writeBatchSize = 256 * 1024

    var objectsDir: String { dataDir + "/objects" }
    var tmpDir: String { dataDir + "/tmp" }

    public init(dataDir: String, threadPool: NIOThreadPool = .singleton) {
        self.dataDir = dataDir
        self.threadPool = threadPool
    }

    /// Creates the folders and removes half-written files a crash left in `tmp/` (none of them was ever visible).
    public static func open(dataDir: String, threadPool: NIOThreadPool = .singleton) async throws -> DiskBlobStore {
        let store = DiskBlobStore(dataDir: dataDir, threadPool: threadPool)
        let (objects, tmp) = (store.objectsDir, store.tmpDir)
        try await threadPool.runIfActive {
            let files = FileManager.default
            try files.createDirectory(atPath: objects, withIntermediateDirectories: true)
            try files.createDirectory(atPath: tmp, withIntermediateDirectories: true)
            for name in try files.contentsOfDirectory(atPath: tmp) {
                try POSIX.remove(tmp + "/" + name)
            }
        }
        return store
    }

    public func write<Body: AsyncSequence & Sendable>(_ body: Body) async throws -> BlobInfo where Body.Element == ByteBuffer {
        let blobId = Self.newBlobId()
        let tmpPath = tmpDir + "/" + UUID().uuidString
        let fd = try await threadPool.runIfActive {
            try POSIX.openFile(tmpPath, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        }
        var size: Int64 = 0
        var crc = CRC32()
        var closed = false
        let (shard, final) = (shardDir(blobId), path(blobId)!)
        do {
            var pending = ByteBuffer()
            for try await chunk in body {
                crc.update(chunk)
                pending.writeImmutableBuffer(chunk)
                if pending.readableBytes >= Self.writeBatchSize {
                    try await writeOut(pending, fd: fd, at: size, path: tmpPath)
                    size += Int64(pending.readableBytes)
                    pending.clear()
                }
            }
            if pending.readableBytes > 0 {
                try await writeOut(pending, fd: fd, at: size, path: tmpPath)
                size += Int64(pending.readableBytes)
            }
            closed = true
            try await threadPool.runIfActive {
                defer { close(fd) }
                try POSIX.sync(fd, path: tmpPath)
            }
            try await threadPool.runIfActive {
                if try POSIX.makeDirectory(shard) {
                    try POSIX.syncDirectory(shard.deletingLastPathComponent)
                }
                try POSIX.rename(tmpPath, final)
                try POSIX.syncDirectory(shard)
            }
        } catch {
            // Runs for a failed body too (bad checksum, client gone, too large): the temp file goes, nothing appears.
            let wasClosed = closed
            try? await threadPool.runIfActive {
                if !wasClosed { close(fd) }
                _ = try? POSIX.remove(tmpPath)
                _ = try? POSIX.remove(final)
            }
            throw error
        }
        return BlobInfo(blobId: blobId, size: size, crc32: crc.base64)
    }

    private func writeOut(_ buffer: ByteBuffer, fd: Int32, at offset: Int64, path: String) async throws {
        try await threadPool.runIfActive {
            try buffer.withUnsafeReadableBytes { try POSIX.writeAll(fd, $0, at: offset, path: path) }
        }
    }

    public func read(blobId: String, range: ClosedRange<Int64>?) async throws -> AsyncThrowingStream<ByteBuffer, any Error> {
        guard let path = path(blobId) else { throw BlobStoreError.notFound(blobId) }
        let (fd, size) = try await threadPool.runIfActive { () -> (Int32, Int64) in
            let fd: Int32
            do {
                fd = try POSIX.openFile(path, O_RDONLY)
            } catch let failure as POSIX.Failure where failure.code == ENOENT {
                throw BlobStoreError.notFound(blobId)
            }
            do {
                return (fd, try POSIX.size(fd, path: path))
            } catch {
                close(fd)
                throw error
            }
        }
        var start: Int64 = 0
        var end = size
        if let range {
            guard range.lowerBound >= 0, range.lowerBound < size else {
                close(fd)
                throw BlobStoreError.invalidRange(size: size)
            }
            start = range.lowerBound
            end = min(size, range.upperBound + 1)
        }
        let reader = BlobReader(fd: fd, path: path, from: start, upTo: end, chunkSize: Self.readChunkSize, threadPool: threadPool)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }

    public func delete(blobId: String) async throws {
        guard let path = path(blobId) else { return }
        _ = try await threadPool.runIfActive { try POSIX.remove(path) }
    }

    public func size(blobId: String) async throws -> Int64? {
        guard let path = path(blobId) else { return nil }
        return try await threadPool.runIfActive { try POSIX.size(atPath: path) }
    }

    /// Every blob on disk; for tests and repair tools.
    public func allBlobIds() async throws -> [String] {
        let objects = objectsDir
        return try await threadPool.runIfActive {
            let files = FileManager.default
            return try files.contentsOfDirectory(atPath: objects).flatMap { shard in
                (try? files.contentsOfDirectory(atPath: objects + "/" + shard)) ?? []
            }.sorted()
        }
    }

    static func newBlobId() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let word = generator.next() as UInt64
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// 64 lower-case hex digits, or nothing: an id read back from the index never turns into another path.
    static func isValid(_ blobId: String) -> Bool {
        blobId.utf8.count == 64 && blobId.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    func shardDir(_ blobId: String) -> String {
        objectsDir + "/" + blobId.prefix(2)
    }

    func path(_ blobId: String) -> String? {
        Self.isValid(blobId) ? shardDir(blobId) + "/" + blobId : nil
    }
}

extension String {
    fileprivate var deletingLastPathComponent: String {
        guard let slash = lastIndex(of: "/") else { return "." }
        return String(self[..<slash])
    }
}
