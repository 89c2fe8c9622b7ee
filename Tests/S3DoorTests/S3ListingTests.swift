import Foundation
import Testing

@testable import S3Door
@testable import Stores

@Suite struct S3ListingTests {
    /// An in-memory index with the file index's contract: byte order, prefix, exclusive startAfter, limit.
    static func fetcher(_ keys: [String]) -> S3Listing.Fetch {
        let sorted = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return { prefix, startAfter, limit in
            Array(
                sorted.filter { key in
                    Array(key.utf8).starts(with: Array(prefix.utf8))
                        && (startAfter.map { Array($0.utf8).lexicographicallyPrecedes(Array(key.utf8)) } ?? true)
                }.prefix(limit)
            ).map { ObjectRecord(namespace: "gateway", bucket: "b", key: $0, etag: "e", size: 1, contentType: nil, lastModified: Date(), location: .local(blobId: "x")) }
        }
    }

    static let keys = ["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "c.txt", "d/4.txt", "e.txt"]

    func everything(prefix: String = "", delimiter: String?, pageSize: Int) async throws -> (entries: [String], pages: Int) {
        var entries: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await S3Listing.list(prefix: prefix, delimiter: delimiter, maxKeys: pageSize, startAfter: cursor, fetch: Self.fetcher(Self.keys))
            #expect(page.count <= pageSize)
            entries += page.objects.map(\.key) + page.commonPrefixes
            pages += 1
            cursor = page.nextCursor.map { S3Listing.cursor(forToken: S3Listing.token(forCursor: $0))! }
            #expect((page.nextCursor != nil) == page.isTruncated)
        } while cursor != nil
        return (entries, pages)
    }

    @Test func plainPaging() async throws {
        let (entries, pages) = try await everything(delimiter: nil, pageSize: 2)
        #expect(entries == Self.keys)
        #expect(pages == 4)
    }

    @Test(arguments: [1, 2, 3, 1000])
    func delimiterRollsUpGroupsOnceAcrossPages(_ pageSize: Int) async throws {
        let (entries, _) = try await everything(delimiter: "/", pageSize: pageSize)
        #expect(Set(entries) == ["a.txt", "b/", "c.txt", "d/", "e.txt"])
        #expect(entries.count == 5)
    }

    @Test func prefixAndMultiCharacterDelimiter() async throws {
        let nested = try await S3Listing.list(prefix: "b/", delimiter: "/", maxKeys: 10, startAfter: nil, fetch: Self.fetcher(Self.keys))
        #expect(nested.objects.map(\.key) == ["b/1.txt", "b/2.txt"])
        #expect(nested.commonPrefixes == ["b/c/"])
        let long = try await S3Listing.list(prefix: "", delimiter: "/c/", maxKeys: 10, startAfter: nil, fetch: Self.fetcher(Self.keys))
        #expect(long.commonPrefixes == ["b/c/"])
        #expect(long.objects.count == 6)
    }

    @Test func exactFitIsNotTruncated() async throws {
        let page = try await S3Listing.list(prefix: "", delimiter: nil, maxKeys: 7, startAfter: nil, fetch: Self.fetcher(Self.keys))
        #expect(page.count == 7 && !page.isTruncated)
        let none = try await S3Listing.list(prefix: "", delimiter: nil, maxKeys: 0, startAfter: nil, fetch: Self.fetcher(Self.keys))
        #expect(none.count == 0 && !none.isTruncated)
    }

    @Test func groupsAreByteExact() async throws {
        // Precomposed and decomposed é are different groups; Swift's String == would merge them.
        let keys = ["\u{E9}/1", "e\u{301}/1", "e\u{301}/2"]
        let page = try await S3Listing.list(prefix: "", delimiter: "/", maxKeys: 10, startAfter: nil, fetch: Self.fetcher(keys))
        #expect(page.commonPrefixes.map { Array($0.utf8) } == [Array("e\u{301}/".utf8), Array("\u{E9}/".utf8)])
    }

    @Test func markersInsideAGroupSkipIt() {
        #expect(S3Listing.cursor(forMarker: "b/", prefix: "", delimiter: "/") == "b/\u{10FFFF}")
        #expect(S3Listing.cursor(forMarker: "b/2.txt", prefix: "b/", delimiter: "/") == "b/2.txt")
        #expect(S3Listing.cursor(forMarker: "a.txt", prefix: "", delimiter: nil) == "a.txt")
    }

    @Test func tokensRoundTripAndRejectForeignOnes() {
        for cursor in ["", "a", "dir/ü+ /\u{10FFFF}", String(repeating: "z", count: 1024)] {
            #expect(S3Listing.cursor(forToken: S3Listing.token(forCursor: cursor)) == (cursor.isEmpty ? nil : cursor))
        }
        #expect(S3Listing.cursor(forToken: "not a token!") == nil)
        #expect(S3Listing.cursor(forToken: "_w") == nil)
    }
}
