import Foundation
import Testing

@testable import Batch

@Suite struct BatchJobIDTests {
    @Test func idsAreTwelveLowerCaseLettersAndDigits() {
        for _ in 0..<200 {
            let id = BatchJobID.make()
            #expect(id.count == 12)
            #expect(id.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) })
        }
    }

    @Test func arnHasBedrocksShape() throws {
        let arn = BatchJobID.arn(region: "us-west-2", id: "abc123def456")
        #expect(arn == "arn:aws:bedrock:us-west-2:000000000000:model-invocation-job/abc123def456")
        let pattern = try Regex(#"arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/[a-z0-9]{12}"#)
        #expect(try pattern.wholeMatch(in: arn) != nil)
    }

    @Test func regionThatCannotBeInAnARNFallsBack() {
        #expect(BatchJobID.region("eu-central-1") == "eu-central-1")
        #expect(BatchJobID.region("") == "us-east-1")
        #expect(BatchJobID.region("Not A Region") == "us-east-1")
    }

    @Test func outputLocationsFollowBedrocksLayout() {
        #expect(S3Location.output("s3://out/results/", jobId: "abc", name: "in.jsonl.out") == "s3://out/results/abc/in.jsonl.out")
        #expect(S3Location.output("s3://out", jobId: "abc", name: "manifest.json.out") == "s3://out/abc/manifest.json.out")
        #expect(S3Location("s3://in/a/b/input.jsonl")?.fileName == "input.jsonl")
        #expect(S3Location("s3://in/a/")?.isFolder == true)
        #expect(S3Location("http://x/y") == nil)
    }
}
