import AWSWire
import Foundation
import Testing

/// Expected signatures were computed by botocore 1.43.11's `S3SigV4Auth` for the same requests (the clock patched
/// to 2026-11-22T01:02:03Z; `_should_sha256_sign_payload` patched to False for the UNSIGNED-PAYLOAD case). S3 signs
/// the path as sent: encoded once, `//` kept, nothing normalised.
@Suite struct SigV4S3SignerTests {
    let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "eu-central-1", service: "s3")
    let date = Date(timeIntervalSince1970: 1_795_309_323)

    func authorization(_ headers: [(String, String)]) -> String? {
        headers.first { $0.0 == "Authorization" }?.1
    }

    @Test func unsignedPutWithEncodedKeyAndMetadata() {
        let headers = signer.signatureHeaders(
            method: "PUT", path: "/my-bucket/dir/in%20put/rec%2B1%21%C3%BC.jsonl",
            headers: [
                ("Content-Type", "application/jsonl"), ("Host", "s3.eu-central-1.amazonaws.com"),
                ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), ("x-amz-meta-team", "a  b"),
            ],
            payloadSHA256: "UNSIGNED-PAYLOAD", date: date)
        #expect(
            authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-central-1/s3/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-team, Signature=9fb6e3e41ec86e54464a1c95b10b0620e529c923e90e5f839a387ee2ccb6307d"
        )
    }

    @Test func listWithEncodedQueryAndSessionToken() {
        var withToken = signer
        withToken.credentials.sessionToken = "SESSIONTOKEN"
        let headers = withToken.signatureHeaders(
            method: "GET", path: "/my-bucket", query: [("list-type", "2"), ("prefix", "a/b c"), ("encoding-type", "url")],
            headers: [("Host", "s3.eu-central-1.amazonaws.com"), ("x-amz-content-sha256", SigV4Signer.emptyPayloadSHA256)],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256, date: date)
        #expect(
            authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-central-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=3c22c05922ac80021f16186cf35cef6d1fd319f559fd0266878ad3f28ad0775e"
        )
        #expect(headers.contains { $0 == ("X-Amz-Security-Token", "SESSIONTOKEN") })
    }

    @Test func bareFlagAndDoubleSlashKeyWithPort() {
        let headers = signer.signatureHeaders(
            method: "POST", path: "/my-bucket/big//file.bin", query: [("uploads", "")],
            headers: [("Host", "127.0.0.1:9000"), ("x-amz-content-sha256", SigV4Signer.emptyPayloadSHA256)],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256, date: date)
        #expect(
            authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-central-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0758217aa0737441504d6d6c95e86f00600c2cd7b5ea001875616e0b8f6cbe1e"
        )
    }
}
