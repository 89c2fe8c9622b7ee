import Foundation
import Providers
import SwitchyardModel
import Testing

/// Requests forwarded to Amazon S3: path-style at the endpoint, bucket and key encoded once as botocore does, signed
/// SigV4 `s3`. The signatures are botocore 1.43.11 `S3SigV4Auth`'s for the same requests (see SigV4S3SignerTests).
@Suite struct S3ForwardSigningTests {
    let date = Date(timeIntervalSince1970: 1_795_309_323)

    func target(region: String = "eu-central-1", token: String? = nil, aws: Bool = true) -> UpstreamTarget {
        var target = UpstreamTarget(
            provider: "bedrock", model: "", baseURL: "https://bedrock-runtime.example", apiKey: aws ? nil : "ABSK-bearer",
            timeoutSeconds: 10, streamIdleTimeoutSeconds: 10)
        if aws {
            target.aws = AWSAccess(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: token)
        }
        target.region = region
        return target
    }

    func header(_ headers: [(String, String)], _ name: String) -> String? {
        headers.first { $0.0.lowercased() == name }?.1
    }

    @Test func putIsUnsignedPayloadWithTheKeyEncodedOnce() throws {
        let call = BedrockS3Files.Call(
            method: "PUT", bucket: "my-bucket", key: "dir/in put/rec+1!ü.jsonl",
            headers: [("Content-Type", "application/jsonl"), ("x-amz-meta-team", "a  b")])
        let (url, headers) = try BedrockS3Files.prepare(call, hasBody: true, endpoint: "https://s3.{region}.amazonaws.com", target: target(), date: date)
        #expect(url == "https://s3.eu-central-1.amazonaws.com/my-bucket/dir/in%20put/rec%2B1%21%C3%BC.jsonl")
        #expect(header(headers, "host") == "s3.eu-central-1.amazonaws.com")
        #expect(header(headers, "x-amz-content-sha256") == "UNSIGNED-PAYLOAD")
        #expect(
            header(headers, "authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-central-1/s3/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-team, Signature=9fb6e3e41ec86e54464a1c95b10b0620e529c923e90e5f839a387ee2ccb6307d"
        )
    }

    @Test func bodilessListSignsTheEmptyPayloadAndKeepsTheQuery() throws {
        let call = BedrockS3Files.Call(
            method: "GET", bucket: "my-bucket", key: nil, query: [("list-type", "2"), ("prefix", "a/b c"), ("encoding-type", "url")])
        let (url, headers) = try BedrockS3Files.prepare(
            call, hasBody: false, endpoint: "https://s3.{region}.amazonaws.com", target: target(token: "SESSIONTOKEN"), date: date)
        #expect(url == "https://s3.eu-central-1.amazonaws.com/my-bucket?list-type=2&prefix=a%2Fb%20c&encoding-type=url")
        #expect(header(headers, "x-amz-security-token") == "SESSIONTOKEN")
        #expect(
            header(headers, "authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-central-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=3c22c05922ac80021f16186cf35cef6d1fd319f559fd0266878ad3f28ad0775e"
        )
    }

    @Test func customEndpointKeepsPortDoubleSlashesAndBareFlags() throws {
        let call = BedrockS3Files.Call(method: "POST", bucket: "my-bucket", key: "big//file.bin", query: [("uploads", "")])
        let (url, headers) = try BedrockS3Files.prepare(call, hasBody: false, endpoint: "http://127.0.0.1:9000", target: target(), date: date)
        #expect(url == "http://127.0.0.1:9000/my-bucket/big//file.bin?uploads=")
        #expect(header(headers, "host") == "127.0.0.1:9000")
        #expect(
            header(headers, "authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-central-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0758217aa0737441504d6d6c95e86f00600c2cd7b5ea001875616e0b8f6cbe1e"
        )
    }

    @Test func listBucketsIsTheEndpointRoot() throws {
        let (url, _) = try BedrockS3Files.prepare(
            BedrockS3Files.Call(method: "GET", bucket: nil, key: nil), hasBody: false, endpoint: "https://s3.{region}.amazonaws.com/",
            target: target(region: "us-west-2"), date: date)
        #expect(url == "https://s3.us-west-2.amazonaws.com/")
    }

    /// S3 takes SigV4 only; a Bedrock API key is refused before anything is sent, and never named.
    @Test func aBearerKeyCannotSignS3() {
        #expect(throws: GatewayError.self) {
            _ = try BedrockS3Files.prepare(
                BedrockS3Files.Call(method: "GET", bucket: "b", key: "k"), hasBody: false, endpoint: "https://s3.{region}.amazonaws.com",
                target: target(aws: false))
        }
    }
}
