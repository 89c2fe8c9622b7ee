import Foundation
import Testing

@testable import S3Door

@Suite struct S3RangeTests {
    @Test(arguments: [
        ("bytes=0-9", S3Range.partial(0...9)),
        ("bytes=10-", .partial(10...99)),
        ("bytes=-10", .partial(90...99)),
        ("bytes=-1000", .partial(0...99)),
        ("bytes=90-1000", .partial(90...99)),
        ("bytes=99-99", .partial(99...99)),
        ("bytes=100-", .unsatisfiable),
        ("bytes=100-200", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=5-1", .whole),
        ("bytes=0-1,5-6", .whole),
        ("items=0-1", .whole),
        ("bytes=a-b", .whole),
        ("bytes=+1-2", .whole),
        ("bytes=-", .whole),
    ])
    func resolves(_ header: String, _ expected: S3Range) {
        #expect(S3Range.resolve(header, size: 100) == expected)
    }

    @Test func noHeaderOrEmptyObject() {
        #expect(S3Range.resolve(nil, size: 10) == .whole)
        #expect(S3Range.resolve("bytes=0-", size: 0) == .unsatisfiable)
        #expect(S3Range.resolve("bytes=-5", size: 0) == .unsatisfiable)
    }
}

@Suite struct S3ConditionsTests {
    @Test func matchesQuotedBareWeakListsAndStar() {
        let etag = "0123abcd"
        #expect(S3Conditions.matches("0123abcd", etag: etag))
        #expect(S3Conditions.matches("\"0123abcd\"", etag: etag))
        #expect(S3Conditions.matches("W/\"0123abcd\"", etag: etag))
        #expect(S3Conditions.matches("\"x\", \"0123abcd\"", etag: etag))
        #expect(S3Conditions.matches("*", etag: etag))
        #expect(!S3Conditions.matches("\"0123abce\"", etag: etag))
        #expect(!S3Conditions.matches("", etag: etag))
    }

    @Test func readOutcome() {
        #expect(S3Conditions.evaluateRead(ifMatch: nil, ifNoneMatch: nil, etag: "e") == .proceed)
        #expect(S3Conditions.evaluateRead(ifMatch: "x", ifNoneMatch: nil, etag: "e") == .preconditionFailed)
        #expect(S3Conditions.evaluateRead(ifMatch: "e", ifNoneMatch: "e", etag: "e") == .notModified)
        #expect(S3Conditions.evaluateRead(ifMatch: nil, ifNoneMatch: "x", etag: "e") == .proceed)
    }
}

@Suite struct S3TimeTests {
    @Test func formats() {
        let date = Date(timeIntervalSince1970: 1_795_823_411.25)
        #expect(S3Time.iso8601(date) == "2026-11-27T23:50:11.250Z")
        #expect(S3Time.rfc1123(date) == "Fri, 27 Nov 2026 23:50:11 GMT")
        #expect(S3Time.iso8601(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }
}
