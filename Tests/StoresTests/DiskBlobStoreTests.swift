import Foundation
import NIOCore
import Testing

@testable import Stores

@Suite struct DiskBlobStoreTests {
    let dir: TemporaryDirectory
    let blobs: DiskBlobStore

    init() async throws {
        dir = try TemporaryDirectory()
        blobs = try await DiskBlobStore.open(dataDir: dir.path)
    }

    static func body(_ chunks: [[UInt8]], failAfter: Int? = nil) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            for (i, chunk) in chunks.enumerated() {
                if i == failAfter {
                    continuation.finish(throwing: Interrupted())
                    return
                }
                continuation.yield(ByteBuffer(bytes: chunk))
            }
            continuation.finish()
        }
    }

    struct Interrupted: Error {}

    func readAll(_ blobId: String, _ range: ClosedRange<Int64>? = nil) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in try await blobs.read(blobId: blobId, range: range) { out += chunk.readableBytesView }
        return out
    }

    static func random(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test func writeReadAndChecksum() async throws {
        let data = Self.random(700_000)
        let info = try await blobs.write(Self.body([Array(data[..<1]), Array(data[1..<300_000]), Array(data[300_000...])]))
        #expect(info.size == 700_000)
        #expect(info.blobId.count == 64)
        #expect(try await readAll(info.blobId) == data)
        #expect(try await blobs.size(blobId: info.blobId) == 700_000)
        #expect(dir.files(under: "objects") == ["\(info.blobId.prefix(2))/\(info.blobId)"])
        let hello = try await blobs.write(Self.body([Array("{\"a\":1}\n".utf8)]))
        #expect(hello.crc32 == "dOijRg==")
        let empty = try await blobs.write(Self.body([]))
        #expect(empty.size == 0 && empty.crc32 == "AAAAAA==")
        #expect(try await readAll(empty.blobId).isEmpty)
    }

    @Test func readsStreamInChunksAndHonourRanges() async throws {
        let data = Self.random(200_000)
        let info = try await blobs.write(Self.body([data]))
        var sizes: [Int] = []
        for try await chunk in try await blobs.read(blobId: info.blobId, range: nil) { sizes.append(chunk.readableBytes) }
        #expect(sizes == [65_536, 65_536, 65_536, 3_392])
        #expect(try await readAll(info.blobId, 10...19) == Array(data[10...19]))
        #expect(try await readAll(info.blobId, 199_990...500_000) == Array(data[199_990...]))
        #expect(try await readAll(info.blobId, 0...0) == [data[0]])
        await #expect(throws: BlobStoreError.invalidRange(size: 200_000)) { _ = try await blobs.read(blobId: info.blobId, range: 200_000...200_001) }
    }

    @Test func deletedOrUnknownBlobs() async throws {
        let info = try await blobs.write(Self.body([[1, 2, 3]]))
        // An open read survives the blob's deletion.
        let stream = try await blobs.read(blobId: info.blobId, range: nil)
        try await blobs.delete(blobId: info.blobId)
        var bytes: [UInt8] = []
        for try await chunk in stream { bytes += chunk.readableBytesView }
        #expect(bytes == [1, 2, 3])
        await #expect(throws: BlobStoreError.notFound(info.blobId)) { _ = try await blobs.read(blobId: info.blobId, range: nil) }
        #expect(try await blobs.size(blobId: info.blobId) == nil)
        try await blobs.delete(blobId: info.blobId)
        for hostile in ["../../etc/passwd", "", "ab", String(repeating: "A", count: 64), String(repeating: "a", count: 63) + "/"] {
            await #expect(throws: BlobStoreError.notFound(hostile)) { _ = try await blobs.read(blobId: hostile, range: nil) }
            #expect(try await blobs.size(blobId: hostile) == nil)
        }
    }

    @Test func aWriteThatFailsMidwayLeavesNothing() async throws {
        let big = Self.random(300_000)
        await #expect(throws: Interrupted.self) {
            _ = try await blobs.write(Self.body([big, big, big], failAfter: 2))
        }
        #expect(dir.files(under: "objects").isEmpty)
        #expect(dir.files(under: "tmp").isEmpty)
        #expect(try await blobs.allBlobIds().isEmpty)
    }

    @Test func openingClearsLeftoversOfACrash() async throws {
        _ = FileManager.default.createFile(atPath: dir.path + "/tmp/half-written", contents: Data([1, 2, 3]))
        _ = try await DiskBlobStore.open(dataDir: dir.path)
        #expect(dir.files(under: "tmp").isEmpty)
    }
}
