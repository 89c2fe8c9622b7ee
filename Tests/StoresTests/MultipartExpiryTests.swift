import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

@testable import Stores

/// The expiry sweep and the upload listing it relies on, over a real database and blob directory, on a clock the
/// test sets.
@Suite struct MultipartExpiryTests {
    let dir: TemporaryDirectory
    let uploads: SQLiteMultipartStore
    let blobs: DiskBlobStore
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400

    init() async throws {
        dir = try TemporaryDirectory()
        uploads = SQLiteMultipartStore(pool: try StoreDatabase.open(dataDir: dir.path))
        blobs = try await DiskBlobStore.open(dataDir: dir.path)
    }

    func upload(_ id: String, key: String = "k", bucket: String = "b", at initiated: Date, parts: Int) async throws {
        try await uploads.createUpload(MultipartUpload(uploadId: id, namespace: "gateway", bucket: bucket, key: key, contentType: nil, initiated: initiated))
        for number in stride(from: 1, through: parts, by: 1) {
            let bytes = ByteBuffer(string: "\(id) part \(number)")
            let info = try await blobs.write(AsyncThrowingStream { $0.yield(bytes); $0.finish() })
            try await uploads.putPart(MultipartPart(
                uploadId: id, partNumber: number, blobId: info.blobId, etag: "e\(number)", size: info.size,
                checksumCRC32: info.crc32, lastModified: initiated))
        }
    }

    @Test func removesOnlyUploadsOlderThanTheMaximumAgeWithTheirBytes() async throws {
        try await upload("abandoned", at: Self.start, parts: 2)
        try await upload("recent", at: Self.start + 5 * Self.day, parts: 1)
        let clock = Clock(Self.start + 8 * Self.day)
        let expiry = MultipartExpiry(uploads: uploads, blobs: blobs, maxAge: 7 * Self.day, now: { clock.now }, logger: Logger(label: "test"))

        let outcome = try await expiry.sweep()
        #expect(outcome == MultipartExpiry.Outcome(uploads: 1, parts: 2, bytes: Int64("abandoned part 1".utf8.count * 2)))
        #expect(try await uploads.upload(id: "abandoned") == nil)
        #expect(try await uploads.upload(id: "recent") != nil)
        let left = try await uploads.parts(uploadId: "recent").map(\.blobId)
        #expect(try await blobs.allBlobIds() == left)

        // Nothing more until the recent one is old enough too.
        #expect(try await expiry.sweep() == MultipartExpiry.Outcome())
        clock.now = Self.start + 12.5 * Self.day
        #expect(try await expiry.sweep().uploads == 1)
        #expect(try await blobs.allBlobIds().isEmpty)
    }

    @Test func sweepsMoreThanOneBatch() async throws {
        for i in 0..<(MultipartExpiry.batchSize + 3) { try await upload("u\(i)", at: Self.start, parts: 0) }
        let expiry = MultipartExpiry(uploads: uploads, blobs: blobs, maxAge: Self.day, now: { Self.start + 2 * Self.day }, logger: Logger(label: "test"))
        #expect(try await expiry.sweep().uploads == MultipartExpiry.batchSize + 3)
        #expect(try await uploads.uploads(initiatedBefore: .distantFuture, limit: 10).isEmpty)
    }

    @Test func listsByKeyThenUploadIdAfterACursor() async throws {
        for (id, key) in [("2", "a"), ("1", "a"), ("3", "a/b"), ("4", "b"), ("5", "c")] { try await upload(id, key: key, at: Self.start, parts: 0) }
        try await upload("6", key: "a", bucket: "other", at: Self.start, parts: 0)
        func ids(_ prefix: String = "", after: MultipartUploadCursor? = nil, limit: Int = 10) async throws -> [String] {
            try await uploads.uploads(namespace: "gateway", bucket: "b", prefix: prefix, after: after, limit: limit).map(\.uploadId)
        }
        #expect(try await ids() == ["1", "2", "3", "4", "5"])
        #expect(try await ids("a") == ["1", "2", "3"])
        #expect(try await ids(after: MultipartUploadCursor(key: "a", uploadId: "1")) == ["2", "3", "4", "5"])
        #expect(try await ids(after: MultipartUploadCursor(key: "a")) == ["3", "4", "5"])
        #expect(try await ids(after: MultipartUploadCursor(key: "a"), limit: 2) == ["3", "4"])
        await #expect(throws: StoreText.ContainsNUL.self) { _ = try await ids("a\0") }
    }

    final class Clock: Sendable {
        private let time: Mutex<Date>
        init(_ now: Date) { time = Mutex(now) }
        var now: Date {
            get { time.withLock { $0 } }
            set { time.withLock { $0 = newValue } }
        }
    }
}
