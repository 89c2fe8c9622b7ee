import Testing

@testable import S3Door

@Suite struct S3RequestTargetTests {
    let mount = "/bedrock/files"

    func parse(_ target: String) throws -> S3RequestTarget { try S3RequestTarget.parse(target, mount: mount) }

    @Test func serviceBucketAndObject() throws {
        #expect(try parse("/bedrock/files") == S3RequestTarget(bucket: nil, key: nil))
        #expect(try parse("/bedrock/files/") == S3RequestTarget(bucket: nil, key: nil))
        #expect(try parse("/bedrock/files/bk") == S3RequestTarget(bucket: "bk", key: nil))
        #expect(try parse("/bedrock/files/bk/") == S3RequestTarget(bucket: "bk", key: nil))
        #expect(try parse("/bedrock/files/bk/a/b.jsonl").key == "a/b.jsonl")
    }

    /// Keys exactly as botocore encodes them (bedrock-wire.md §6.1): decoded once, slashes never normalised.
    @Test(arguments: [
        ("/bedrock/files/bk/batch/in%20put/rec%2B1.jsonl", "batch/in put/rec+1.jsonl"),
        ("/bedrock/files/bk//leading//double", "/leading//double"),
        ("/bedrock/files/bk///", "//"),
        ("/bedrock/files/bk/%C3%BCn%C3%AF~%C3%A7%C3%B8d%C3%A9%281%29%21%2A%27.txt", "ünï~çødé(1)!*'.txt"),
        ("/bedrock/files/bk/a+b", "a+b"),
        ("/bedrock/files/bk/100%2525", "100%25"),
        ("/bedrock/files/bk/%2F..%2F", "/../"),
        ("/bedrock/files/bk/../x", "../x"),
        ("/bedrock/files/bk/..", ".."),
        ("/bedrock/files/bk/a/./b", "a/./b"),
        ("/bedrock/files/bk/q%3Fx%3D1%26y%23z?x-id=GetObject", "q?x=1&y#z"),
        ("/bedrock/files/bk/e%CC%81", "e\u{301}"),
    ])
    func hostileKeys(_ target: String, _ key: String) throws {
        let parsed = try parse(target)
        #expect(parsed.bucket == "bk")
        #expect(parsed.key.map { Array($0.utf8) } == Array(key.utf8))
    }

    @Test func queryIsDecodedInOrder() throws {
        let parsed = try parse("/bedrock/files/bk?list-type=2&prefix=a%2Fb+c&delimiter=%2F&uploads&encoding-type=url")
        #expect(parsed.query["prefix"] == "a/b c")
        #expect(parsed.query["delimiter"] == "/")
        #expect(parsed.query["uploads"] == "")
        #expect(parsed.query.has("uploads"))
        #expect(parsed.query.items.map(\.name) == ["list-type", "prefix", "delimiter", "uploads", "encoding-type"])
    }

    @Test(arguments: [
        "/bedrock/files/bk/bad%zz", "/bedrock/files/bk/trunc%2", "/bedrock/files/bk/%FF%FE", "/bedrock/files/bk?x=%G1",
        "/bedrock/files/bad%20bucket/k", "/bedrock/files/a~b/k", "/other/bk/k", "/bedrock/filesX/k",
    ])
    func refusesMalformedTargets(_ target: String) {
        #expect(throws: S3Error.self) { try parse(target) }
    }

    @Test func keyLengthLimit() throws {
        #expect(try parse("/bedrock/files/bk/" + String(repeating: "k", count: 1024)).key?.utf8.count == 1024)
        #expect(throws: S3Error.self) { try parse("/bedrock/files/bk/" + String(repeating: "k", count: 1025)) }
        #expect(throws: S3Error.self) { try parse("/bedrock/files/bk/" + String(repeating: "%C3%BC", count: 513)) }
    }

    @Test func copySource() throws {
        #expect(try S3RequestTarget.copySource("src/a%20b%2Bc") == ("src", "a b+c"))
        #expect(try S3RequestTarget.copySource("/src//lead?versionId=1") == ("src", "/lead"))
        #expect(throws: S3Error.self) { try S3RequestTarget.copySource("src") }
        #expect(throws: S3Error.self) { try S3RequestTarget.copySource("src/") }
    }

    @Test func percentEncodingForListings() {
        #expect(S3PercentEncoding.encode("dir/a+b c%.txt") == "dir/a%2Bb%20c%25.txt")
        #expect(S3PercentEncoding.encode("ü~_-.") == "%C3%BC~_-.")
        #expect(S3PercentEncoding.decode("a+b", plusIsSpace: true) == "a b")
        #expect(S3PercentEncoding.decode("a+b") == "a+b")
    }
}
