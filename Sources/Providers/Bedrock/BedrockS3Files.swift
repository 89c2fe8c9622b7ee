import AWSWire
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// Amazon S3 behind the files door of a Bedrock provider: one S3 request sent on, path-style
/// (`{endpoint}/{bucket}/{key}`) at the provider's S3 endpoint, signed with the key's access keys (SigV4, service
/// `s3`). S3 signs the path as sent, so bucket and key are encoded here once, the way botocore encodes them.
/// Bodies are signed `UNSIGNED-PAYLOAD`: they stream through and are never hashed or held (the door has already
/// checked the client's CRC32); a bodiless request signs the empty payload's hash. AWS takes `UNSIGNED-PAYLOAD`
/// over http and https alike.
public struct BedrockS3Files: ObjectStoreForwarder {
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    let files: FilesHTTP

    public init(http: UpstreamHTTP) {
        self.files = FilesHTTP(http: http)
    }

    public typealias Call = S3ForwardCall
    public typealias Answer = S3ForwardAnswer

    /// Sends a bodiless call.
    public func send(_ call: Call, endpoint: String, target: UpstreamTarget) async throws -> Answer {
        try await send(call, body: AsyncThrowingStream<ByteBuffer, any Error>?.none, length: nil, endpoint: endpoint, target: target)
    }

    /// Sends the call with `body` of exactly `length` bytes (nil: no body).
    public func send<Body: AsyncSequence & Sendable>(
        _ call: Call, body: Body?, length: Int64?, endpoint: String, target: UpstreamTarget
    ) async throws -> Answer where Body.Element == ByteBuffer {
        try await send(call, body: body, length: length, endpoint: endpoint, target: target, date: Date())
    }

    public func send<Body: AsyncSequence & Sendable>(
        _ call: Call, body: Body?, length: Int64?, endpoint: String, target: UpstreamTarget, date: Date
    ) async throws -> Answer where Body.Element == ByteBuffer {
        let prepared = try Self.prepare(call, hasBody: body != nil && (length ?? 0) > 0, endpoint: endpoint, target: target, date: date)
        var request = HTTPClientRequest(url: prepared.url)
        request.method = HTTPMethod(rawValue: call.method)
        request.headers = HTTPHeaders(prepared.headers)
        if let body, let length {
            request.body = length == 0 ? .bytes(ByteBuffer()) : .stream(body, length: .known(length))
        }
        let response = try await files.execute(request, target: target, seconds: body == nil ? nil : FilesHTTP.uploadSeconds)
        return Answer(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: ByteStream(response.body))
    }

    /// The URL and the signed headers of a call. Throws `accessDenied` when the key has no AWS access keys (S3
    /// takes no Bedrock API key).
    public static func prepare(
        _ call: Call, hasBody: Bool, endpoint: String, target: UpstreamTarget, date: Date = Date()
    ) throws -> (url: String, headers: [(String, String)]) {
        guard let aws = target.aws else {
            if let unavailable = target.awsUnavailable { throw unavailable }
            throw GatewayError(
                .accessDenied,
                "provider '\(target.provider)' has no AWS access keys for S3 (a Bedrock API key does not sign S3 requests)")
        }
        let place = try BedrockEndpoint(template: endpoint, region: target.region ?? "us-east-1")
        let path = place.basePath + path(bucket: call.bucket, key: call.key)
        let payload = hasBody ? unsignedPayload : SigV4Signer.emptyPayloadSHA256
        var headers = call.headers.map { ($0.0.lowercased(), $0.1) }
        headers.append(("host", place.hostHeader))
        headers.append(("x-amz-content-sha256", payload))
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey, sessionToken: aws.sessionToken),
            region: target.region ?? "us-east-1", service: "s3")
        headers += signer.signatureHeaders(method: call.method, path: path, query: call.query, headers: headers, payloadSHA256: payload, date: date)
        let query = call.query.map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }.joined(separator: "&")
        return (place.origin + path + (query.isEmpty ? "" : "?" + query), headers)
    }

    /// `/{bucket}/{key}` with every byte but the unreserved ones and `/` percent-encoded (botocore's
    /// `quote(key, safe='/~')`), `//` and a leading `/` in the key kept.
    static func path(bucket: String?, key: String?) -> String {
        guard let bucket else { return "/" }
        var path = "/" + SigV4Signer.uriEncode(bucket)
        if let key {
            path += "/" + key.split(separator: "/", omittingEmptySubsequences: false).map { SigV4Signer.uriEncode(String($0)) }.joined(separator: "/")
        }
        return path
    }
}
