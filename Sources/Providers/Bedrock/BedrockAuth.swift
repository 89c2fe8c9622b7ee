import AWSWire
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// Signs a request with the key's AWS credentials, or sends its Bedrock API key as a bearer token.
enum BedrockAuth {
    static func authorize(
        _ headers: inout HTTPHeaders, method: String, host: String, path: String, query: [(String, String)] = [],
        body: ByteBuffer, target: UpstreamTarget, service: String
    ) throws {
        headers.replaceOrAdd(name: "host", value: host)
        if let aws = target.aws {
            let signer = SigV4Signer(
                credentials: AWSCredentials(accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey, sessionToken: aws.sessionToken),
                region: target.region ?? "us-east-1", service: service)
            let signed = headers.filter { ["host", "content-type"].contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
            let payloadHash = body.withUnsafeReadableBytes { SigV4Signer.sha256Hex($0) }
            for (name, value) in signer.signatureHeaders(method: method, path: path, query: query, headers: signed, payloadSHA256: payloadHash) {
                headers.replaceOrAdd(name: name, value: value)
            }
        } else if let unavailable = target.awsUnavailable {
            throw unavailable
        } else if let key = target.apiKey, !key.isEmpty {
            headers.replaceOrAdd(name: "authorization", value: "Bearer \(key)")
        } else {
            throw GatewayError(.accessDenied, "provider '\(target.provider)' has no AWS credentials or Bedrock API key configured")
        }
    }
}
