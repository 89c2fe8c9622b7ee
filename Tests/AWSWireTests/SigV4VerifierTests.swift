@testable import AWSWire
import Crypto
import Foundation
import NIOCore
import Testing

/// Requests boto3 signed (SigV4Vectors.swift, recorded by tests/vectors/sigv4_vectors.py), verified as the gateway
/// receives them, then altered one part at a time.
@Suite struct SigV4VerifierTests {
    let verifier = SigV4Verifier()
    let now = SigV4Vectors.signedAt

    func vector(_ name: String) -> SigV4Vector {
        SigV4Vectors.all.first { $0.name == name }!
    }

    func presented(_ vector: SigV4Vector, _ request: SigV4Request? = nil) throws -> SigV4Presentation {
        try #require(try SigV4Presentation.find(in: request ?? vector.request(), door: vector.door))
    }

    /// The failure of verifying `request` (scope, clock and signature) with `secret` at `now`; nil when it passes.
    func failure(
        _ vector: SigV4Vector, _ request: SigV4Request? = nil, secret: String = SigV4Vectors.secret,
        body: [UInt8]? = nil, now: Int64? = nil, door: SigV4Door? = nil
    ) -> SigV4Failure? {
        let request = request ?? vector.request()
        let door = door ?? vector.door
        do throws(SigV4Failure) {
            guard let presented = try SigV4Presentation.find(in: request, door: door) else {
                return SigV4Failure(.malformedHeader, "no credential")
            }
            try verifier.checkScopeAndTime(presented, door: door, now: now ?? self.now)
            try verifier.verify(
                presented, request: request, door: door, secret: secret,
                body: door == .bedrock ? ByteBuffer(bytes: body ?? vector.body) : nil)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: SigV4Vectors.all)
    func botoRequestsVerify(_ vector: SigV4Vector) throws {
        let presented = try presented(vector)
        #expect(presented.accessKeyId == SigV4Vectors.accessKeyId)
        #expect(failure(vector) == nil)
    }

    @Test(arguments: SigV4Vectors.all)
    func canonicalRequestIsBotocores(_ vector: SigV4Vector) throws {
        let presented = try presented(vector)
        let request = vector.request()
        let canonical: [UInt8]
        if presented.form == .presignedV2 {
            canonical = SigV4Canonical.stringToSignV2(request, expires: presented.expiresAt!)
        } else {
            let hash = try SigV4Verifier.payloadHash(
                presented, request: request, door: vector.door, body: ByteBuffer(bytes: vector.body))
            canonical = SigV4Canonical.request(
                request, door: vector.door, signedHeaders: presented.signedHeaders, payloadHash: hash,
                presigned: presented.form == .presigned)
        }
        #expect(String(decoding: canonical, as: UTF8.self) == vector.canonical)
    }

    @Test(arguments: SigV4Vectors.all)
    func anotherSecretIsAMismatch(_ vector: SigV4Vector) {
        #expect(failure(vector, secret: SigV4Vectors.secret + "x")?.kind == .signatureMismatch)
    }

    @Test func theBodyIsSignedAtTheBedrockDoor() {
        let vector = vector("converseColonInModelId")
        var body = vector.body
        body[body.count - 3] = UInt8(ascii: "X")
        #expect(failure(vector, body: body) == .mismatch)
    }

    @Test func aSignedHeaderChangedIsAMismatch() {
        let vector = vector("putObjectSignedPayload")
        let request = vector.request(headers: vector.replacing("x-amz-checksum-crc32", with: "AAAAAA=="))
        #expect(failure(vector, request) == .mismatch)
    }

    @Test func unsignedHeadersMayChange() {
        let vector = vector("converseColonInModelId")
        let request = vector.request(headers: vector.replacing("amz-sdk-request", with: "attempt=2; max=5"))
        #expect(failure(vector, request) == nil)
    }

    @Test func theHostIsSigned() {
        let vector = vector("converseColonInModelId")
        var request = vector.request()
        request.authority = "127.0.0.1:8080"
        #expect(failure(vector, request) == .mismatch)
    }

    @Test func theQueryIsSigned() {
        let vector = vector("listJobsWithQuery")
        #expect(failure(vector, vector.request(query: "statusEquals=Completed&nameContains=a%20b~c&maxResults=5")) == .mismatch)
        // The same parameters in another order and spelling are the same canonical query.
        #expect(failure(vector, vector.request(query: "maxResults=5&nameContains=a%20b%7Ec&statusEquals=InProgress")) == nil)
    }

    @Test func thePathIsSigned() {
        let vector = vector("invokeModelWithARN")
        var request = vector.request()
        request.path = Substring(vector.path.replacingOccurrences(of: "haiku", with: "opus"))
        #expect(failure(vector, request) == .mismatch)
    }

    @Test func aBedrockDigestHeaderMustBeTheBodys() {
        let vector = vector("converseColonInModelId")
        let request = vector.request(headers: vector.headers + [("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")])
        #expect(failure(vector, request)?.kind == .payloadHashMismatch)
    }

    @Test func theClockWindowIsFiveMinutesForBedrock() {
        let vector = vector("converseColonInModelId")
        #expect(failure(vector, now: now + 300) == nil)
        #expect(failure(vector, now: now - 300) == nil)
        #expect(
            failure(vector, now: now + 301)
                == SigV4Failure(
                    .skew, "Signature expired: 20261122T010203Z is now earlier than 20261122T010204Z (20261122T010704Z - 5 min.)"))
        #expect(
            failure(vector, now: now - 301)
                == SigV4Failure(
                    .skew, "Signature not yet current: 20261122T010203Z is still later than 20261122T010202Z (20261122T005702Z + 5 min.)"))
    }

    @Test func theClockWindowIsFifteenMinutesForS3() {
        let vector = vector("listObjectsV2WithQuery")
        #expect(failure(vector, now: now + 900) == nil)
        #expect(failure(vector, now: now + 901)?.kind == .skew)
        #expect(failure(vector, now: now - 901)?.kind == .skew)
    }

    @Test func presignedURLsHoldUntilTheyExpire() {
        for name in ["presignedGetObjectSigV4", "presignedGetObjectSigV2"] {
            let vector = vector(name)
            // Valid for its 600 seconds, whatever the skew window.
            #expect(failure(vector, now: now + 600) == nil, "\(name)")
            #expect(failure(vector, now: now + 601) == SigV4Failure(.expired, "Request has expired"), "\(name)")
        }
    }

    @Test func aPresignedSignatureCoversItsParameters() {
        let vector = vector("presignedGetObjectSigV4")
        let longer = vector.query.replacingOccurrences(of: "X-Amz-Expires=600", with: "X-Amz-Expires=6000")
        #expect(failure(vector, vector.request(query: longer)) == .mismatch)
        let tooLong = vector.query.replacingOccurrences(of: "X-Amz-Expires=600", with: "X-Amz-Expires=604801")
        #expect(failure(vector, vector.request(query: tooLong))?.kind == .malformedQuery)
        let v2 = self.vector("presignedGetObjectSigV2")
        #expect(failure(v2, v2.request(query: v2.query.replacingOccurrences(of: "Expires=1795309923", with: "Expires=1795319923"))) == .mismatch)
    }

    @Test func sessionTokensAreRead() throws {
        #expect(try presented(vector("converseStreamSessionToken")).sessionToken == "SESSION/TOKEN+EXAMPLE==")
        #expect(try presented(vector("presignedGetObjectSigV4SessionToken")).sessionToken == "SESSION/TOKEN+EXAMPLE==")
        #expect(try presented(vector("converseColonInModelId")).sessionToken == nil)
    }

    @Test func theScopeMustFitTheDoor() {
        let vector = vector("converseColonInModelId")
        #expect(failure(vector, door: .s3) == SigV4Failure(.scope, "Credential should be scoped to correct service: 's3'."))
        let authorization = vector.headers.first { $0.0 == "Authorization" }!.1
        let otherDay = vector.request(headers: vector.replacing("authorization", with: authorization.replacingOccurrences(of: "/20261122/", with: "/20261121/")))
        #expect(failure(vector, otherDay)?.kind == .scope)
        let terminator = vector.request(headers: vector.replacing("authorization", with: authorization.replacingOccurrences(of: "aws4_request", with: "aws5_request")))
        #expect(failure(vector, terminator)?.kind == .scope)
    }

    @Test func malformedHeadersSayWhatIsMissing() {
        let vector = vector("converseColonInModelId")
        let noSignature = vector.request(headers: vector.replacing(
            "authorization", with: "AWS4-HMAC-SHA256 Credential=SWYDEXAMPLEKEY234567/20261122/us-west-2/bedrock/aws4_request, SignedHeaders=host"))
        #expect(failure(vector, noSignature) == SigV4Failure(.malformedHeader, "Authorization header requires 'Signature' parameter."))
        let noDate = vector.request(headers: vector.headers.filter { $0.0 != "X-Amz-Date" })
        #expect(failure(vector, noDate)?.kind == .malformedHeader)
        let shortCredential = vector.request(headers: vector.replacing(
            "authorization", with: "AWS4-HMAC-SHA256 Credential=SWYD/20261122/bedrock, SignedHeaders=host, Signature=00"))
        #expect(failure(vector, shortCredential)?.kind == .malformedHeader)
        let sigV4a = vector.request(headers: vector.replacing("authorization", with: "AWS4-ECDSA-P256-SHA256 Credential=x"))
        #expect(failure(vector, sigV4a)?.kind == .malformedHeader)
    }

    @Test func bearerTokensAndUnsignedRequestsPresentNothing() throws {
        let vector = vector("converseColonInModelId")
        let bearer = vector.request(headers: vector.replacing("authorization", with: "Bearer sk-swyd-SWYD.secret"))
        #expect(try SigV4Presentation.find(in: bearer, door: .bedrock) == nil)
        let none = vector.request(headers: vector.headers.filter { $0.0 != "Authorization" })
        #expect(try SigV4Presentation.find(in: none, door: .bedrock) == nil)
        // A SigV2 presigned URL is only an S3 credential.
        let v2 = self.vector("presignedGetObjectSigV2")
        #expect(try SigV4Presentation.find(in: v2.request(), door: .bedrock) == nil)
    }

    @Test func aHeaderAndAPresignedQueryTogetherAreRefused() {
        let vector = vector("presignedGetObjectSigV4")
        let both = vector.request(headers: self.vector("listObjectsV2WithQuery").headers)
        #expect(failure(vector, both)?.kind == .malformedQuery)
    }

    @Test func s3RequiresAPayloadHash() {
        let vector = vector("listObjectsV2WithQuery")
        let none = vector.request(headers: vector.headers.filter { $0.0 != "X-Amz-Content-SHA256" })
        #expect(failure(vector, none)?.kind == .missingPayloadHash)
        let chunkSigned = vector.request(headers: vector.replacing("x-amz-content-sha256", with: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"))
        #expect(failure(vector, chunkSigned)?.kind == .invalidPayloadHash)
    }

    @Test func aWarmKeyCostsNoDerivation() {
        let vector = vector("converseColonInModelId")
        #expect(failure(vector) == nil)
        #expect(failure(vector) == nil)
        #expect(failure(self.vector("invokeModelWithARN")) == nil)
        #expect(verifier.keys.derivations == 1)
        // A rotated secret derives afresh, and the old one no longer verifies.
        #expect(failure(vector, secret: "rotated") == .mismatch)
        #expect(verifier.keys.derivations == 2)
        // Another scope (an S3 request) is its own key.
        #expect(failure(self.vector("listObjectsV2WithQuery")) == nil)
        #expect(verifier.keys.derivations == 3)
    }

    @Test func dotSegmentsAndDoubleSlashesAreNormalisedForBedrock() {
        func normalised(_ path: String) -> String {
            var out = [UInt8]()
            SigV4Canonical.appendNormalisedPath(Substring(path), to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(normalised("/bedrock//model/./a/../b%3A0/") == "/bedrock/model/b%253A0/")
        #expect(normalised("") == "/")
        #expect(normalised("/") == "/")
        #expect(normalised("/a b~") == "/a%20b~")
        // The common path takes a shortcut; these sit on its edges.
        #expect(normalised("/model/anthropic.claude-3%3A0/converse") == "/model/anthropic.claude-3%253A0/converse")
        #expect(normalised("/a/b/") == "/a/b/")
        #expect(normalised("/x/.") == "/x")
        #expect(normalised("/x/..") == "/")
        #expect(normalised("/.../a.") == "/.../a.")
        #expect(normalised("a/b") == "a/b")
    }

    @Test func signaturesCompareByEveryByte() throws {
        let key = SymmetricKey(data: Data(repeating: 7, count: 32))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("string to sign".utf8), using: key)
        let bytes = Array(mac)
        #expect(SigV4Verifier.constantTimeEqual(mac, bytes))
        for index in [0, 15, 31] {
            var altered = bytes
            altered[index] ^= 0x01
            #expect(!SigV4Verifier.constantTimeEqual(mac, altered), "byte \(index)")
        }
        #expect(!SigV4Verifier.constantTimeEqual(mac, Array(bytes.dropLast())))
        #expect(!SigV4Verifier.constantTimeEqual(mac, []))
    }

    @Test func hexIsLowerCaseOverEveryByte() {
        #expect(SigV4Signer.hex([0x00, 0x09, 0x0a, 0x7f, 0xf0, 0xff] as [UInt8]) == "00090a7ff0ff")
        var out = Array("x".utf8)
        SigV4Signer.appendHex([0xab, 0x01] as [UInt8], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "xab01")
    }

    @Test func signatureParametersAreLookedForOnBytes() {
        #expect(SigV4Query.contains(Substring("a=1&X-Amz-Date=2").utf8, "X-Amz-"))
        #expect(SigV4Query.contains(Substring("X-Amz-").utf8, "X-Amz-"))
        #expect(!SigV4Query.contains(Substring("X-Amz").utf8, "X-Amz-"))
        #expect(!SigV4Query.contains(Substring("XX-Am-z").utf8, "X-Amz-"))
        #expect(SigV4Query.contains(Substring("XX-Amz-").utf8, "X-Amz-"))
        #expect(!SigV4Query.contains(Substring("").utf8, "Signature"))
        #expect(SigV4Query.signatureParameters("").isSigned == false)
        #expect(SigV4Query.signatureParameters("list-type=2&prefix=a").isSigned == false)
    }

    @Test func amzDatesRoundTrip() {
        #expect(AmzDate.seconds("20261122T010203Z") == 1_795_309_323)
        #expect(AmzDate.format(1_795_309_323) == "20261122T010203Z")
        #expect(AmzDate.format(951_782_400) == "20000229T000000Z")
        #expect(AmzDate.seconds("20000229T000000Z") == 951_782_400)
        #expect(AmzDate.seconds("2026-11-22T01:02:03Z") == nil)
        #expect(AmzDate.seconds("20261322T010203Z") == nil)
    }
}
