import Testing

@testable import Stores

@Suite struct S3URITests {
    @Test func parses() {
        #expect(S3URI("s3://bucket/dir/a b+c.jsonl") == S3URI(bucket: "bucket", key: "dir/a b+c.jsonl"))
        #expect(S3URI("s3://bucket/") == S3URI(bucket: "bucket", key: ""))
        #expect(S3URI("s3://bucket") == S3URI(bucket: "bucket", key: ""))
        #expect(S3URI("s3://bucket//lead") == S3URI(bucket: "bucket", key: "/lead"))
        #expect(S3URI("s3:///key") == nil)
        #expect(S3URI("https://bucket/key") == nil)
        #expect(S3URI("s3://out/prefix")?.appending("in.jsonl.out").description == "s3://out/prefix/in.jsonl.out")
        #expect(S3URI("s3://out/")?.appending("manifest.json.out").description == "s3://out/manifest.json.out")
    }
}
