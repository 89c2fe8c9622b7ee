import Foundation
import Testing

@testable import Stores

struct FileIndexCase {
    let opened: OpenedStore
    let index: any FileIndex

    init(_ backend: StoreBackend) async throws {
        opened = try await backend.open()
        index = opened.store.files
    }

    func record(_ key: String, bucket: String = "b", namespace: String = "gateway", etag: String? = nil) -> ObjectRecord {
        ObjectRecord(
            namespace: namespace, bucket: bucket, key: key, etag: etag ?? "etag-\(key)", size: Int64(key.utf8.count),
            contentType: "application/jsonl", metadata: ["team": "x"], lastModified: Date(timeIntervalSince1970: 1_700_000_000.123),
            location: .local(blobId: String(repeating: "a", count: 64)), checksumCRC32: "AAAAAA==")
    }

    func putGetReplaceDelete() async throws {
        #expect(try await index.put(record("k")) == nil)
        #expect(try await index.get(namespace: "gateway", bucket: "b", key: "k") == record("k"))
        let replaced = try await index.put(record("k", etag: "second"))
        #expect(replaced == record("k"))
        #expect(try await index.get(namespace: "gateway", etag: "second")?.key == "k")
        #expect(try await index.get(namespace: "gateway", etag: "etag-k") == nil)
        #expect(try await index.get(namespace: "openai", bucket: "b", key: "k") == nil)
        #expect(try await index.delete(namespace: "gateway", bucket: "b", key: "k")?.etag == "second")
        #expect(try await index.delete(namespace: "gateway", bucket: "b", key: "k") == nil)
        let remote = ObjectRecord(
            namespace: "openai", bucket: "b", key: "r", etag: "file-abc", size: 1, contentType: nil, lastModified: Date(),
            location: .remote(fileId: "file-abc"))
        try await index.put(remote)
        #expect(try await index.get(namespace: "openai", bucket: "b", key: "r")?.location == .remote(fileId: "file-abc"))
    }

    func putCreatesTheBucket() async throws {
        try await index.put(record("k", bucket: "auto"))
        #expect(try await index.bucket(namespace: "gateway", name: "auto") != nil)
        #expect(try await index.buckets(namespace: "gateway").map(\.name) == ["auto"])
        #expect(try await index.buckets(namespace: "openai").isEmpty)
    }

    func listsInByteOrderWithPrefixAndStartAfter() async throws {
        // Byte order, not Unicode collation: upper case before lower, "é" precomposed (C3 A9) after "e" + combining
        // accent (65 CC 81), and both are kept as distinct keys.
        let keys = ["a", "a/b", "a/c", "a0", "B", "b%", "b_", "e\u{301}", "\u{E9}", "z", "\u{10FFFF}x", "a/\u{FFFF}"]
        for key in keys { try await index.put(record(key)) }
        let all = try await index.list(namespace: "gateway", bucket: "b", prefix: "", startAfter: nil, limit: 100).map(\.key)
        #expect(all.map { Array($0.utf8) } == keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(all.count == keys.count)
        let underA = try await index.list(namespace: "gateway", bucket: "b", prefix: "a/", startAfter: nil, limit: 100).map(\.key)
        #expect(underA == ["a/b", "a/c", "a/\u{FFFF}"])
        // LIKE wildcards and case folding must not leak into prefixes.
        #expect(try await index.list(namespace: "gateway", bucket: "b", prefix: "b_", startAfter: nil, limit: 100).map(\.key) == ["b_"])
        #expect(try await index.list(namespace: "gateway", bucket: "b", prefix: "b", startAfter: nil, limit: 100).map(\.key) == ["b%", "b_"])
        let after = try await index.list(namespace: "gateway", bucket: "b", prefix: "a", startAfter: "a/b", limit: 2).map(\.key)
        #expect(after == ["a/c", "a/\u{FFFF}"])
        #expect(try await index.list(namespace: "gateway", bucket: "b", prefix: "", startAfter: nil, limit: 0).isEmpty)
        #expect(try await index.list(namespace: "gateway", bucket: "other", prefix: "", startAfter: nil, limit: 10).isEmpty)
    }

    /// GRDB hands SQLite text up to its first NUL, so without the guard `a\0b` would overwrite, read and delete `a`.
    func aKeyWithANULNeverAddressesAnotherKey() async throws {
        try await index.put(record("a"))
        await #expect(throws: StoreText.ContainsNUL.self) { try await index.put(record("a\0b", etag: "intruder")) }
        await #expect(throws: StoreText.ContainsNUL.self) { _ = try await index.get(namespace: "gateway", bucket: "b", key: "a\0zzz") }
        await #expect(throws: StoreText.ContainsNUL.self) { _ = try await index.delete(namespace: "gateway", bucket: "b", key: "a\0b") }
        await #expect(throws: StoreText.ContainsNUL.self) {
            _ = try await index.list(namespace: "gateway", bucket: "b", prefix: "a\0", startAfter: nil, limit: 10)
        }
        #expect(try await index.get(namespace: "gateway", bucket: "b", key: "a") == record("a"))
    }

    func deleteBucketOnlyWhenEmpty() async throws {
        try await index.createBucket(BucketRecord(namespace: "gateway", name: "empty", created: Date(timeIntervalSince1970: 5)))
        try await index.createBucket(BucketRecord(namespace: "gateway", name: "empty", created: Date(timeIntervalSince1970: 9)))
        #expect(try await index.bucket(namespace: "gateway", name: "empty")?.created == Date(timeIntervalSince1970: 5))
        try await index.put(record("k", bucket: "full"))
        #expect(try await index.deleteBucket(namespace: "gateway", name: "full") == false)
        #expect(try await index.deleteBucket(namespace: "gateway", name: "empty"))
        #expect(try await index.bucket(namespace: "gateway", name: "empty") == nil)
    }
}

/// The `FileIndex` contract, run against every store backend.
@Suite struct FileIndexTests {
    @Test(arguments: StoreBackend.available) func putGetReplaceDelete(_ backend: StoreBackend) async throws {
        try await FileIndexCase(backend).putGetReplaceDelete()
    }

    @Test(arguments: StoreBackend.available) func putCreatesTheBucket(_ backend: StoreBackend) async throws {
        try await FileIndexCase(backend).putCreatesTheBucket()
    }

    @Test(arguments: StoreBackend.available) func listsInByteOrderWithPrefixAndStartAfter(_ backend: StoreBackend) async throws {
        try await FileIndexCase(backend).listsInByteOrderWithPrefixAndStartAfter()
    }

    @Test(arguments: StoreBackend.available) func aKeyWithANULNeverAddressesAnotherKey(_ backend: StoreBackend) async throws {
        try await FileIndexCase(backend).aKeyWithANULNeverAddressesAnotherKey()
    }

    @Test(arguments: StoreBackend.available) func deleteBucketOnlyWhenEmpty(_ backend: StoreBackend) async throws {
        try await FileIndexCase(backend).deleteBucketOnlyWhenEmpty()
    }
}
