import AWSWire
import Foundation
import Testing

/// Expected signatures were computed by botocore 1.43.11's `SigV4Auth` for the same requests.
@Suite struct SigV4SignerTests {
    let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-west-2", service: "bedrock")
    let date = Date(timeIntervalSince1970: 1_795_309_323)

    func authorization(_ headers: [(String, String)]) -> String? {
        headers.first { $0.0 == "Authorization" }?.1
    }

    @Test func modelIdWithColonIsEncodedTwice() {
        let body = Data(#"{"messages":[]}"#.utf8)
        let headers = signer.signatureHeaders(
            method: "POST", path: "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse",
            headers: [("Content-Type", "application/json"), ("Host", "bedrock-runtime.us-west-2.amazonaws.com")],
            payloadSHA256: SigV4Signer.sha256Hex(body), date: date)
        #expect(
            authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-west-2/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ecb8a2152d497138fe7dec931fd0c67517c75834bc5b32101e8566f7b5504e37"
        )
        #expect(headers.contains { $0 == ("X-Amz-Date", "20261122T010203Z") })
    }

    @Test func slashInModelIdAndSessionToken() {
        var withToken = signer
        withToken.credentials.sessionToken = "SESSIONTOKEN"
        let headers = withToken.signatureHeaders(
            method: "POST", path: "/model/openai%2Fgpt-4o-mini/converse-stream",
            headers: [("Content-Type", "application/json"), ("Host", "bedrock-runtime.us-west-2.amazonaws.com")],
            payloadSHA256: SigV4Signer.sha256Hex(Data("{}".utf8)), date: date)
        #expect(
            authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-west-2/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=b8163718e9320b8558b0afe32e11420070d0f729859d9c2c0f34b059e09dd878"
        )
        #expect(headers.contains { $0 == ("X-Amz-Security-Token", "SESSIONTOKEN") })
    }

    @Test func queryIsSortedAndEncoded() {
        let headers = signer.signatureHeaders(
            method: "GET", path: "/model-invocation-jobs",
            query: [("statusEquals", "InProgress"), ("maxResults", "5"), ("nameContains", "a b")],
            headers: [("Content-Type", "application/json"), ("Host", "bedrock.us-west-2.amazonaws.com")],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256, date: date)
        #expect(
            authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-west-2/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5b338101060c3599bf477f89875e58e12ce00de5f4b9982e03104e4c43ab6271"
        )
    }

    @Test func uriEncodingKeepsOnlyUnreserved() {
        #expect(SigV4Signer.uriEncode("a b+c/d:é~_.-") == "a%20b%2Bc%2Fd%3A%C3%A9~_.-")
    }
}
