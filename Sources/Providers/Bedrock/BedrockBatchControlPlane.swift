import AWSWire
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// AWS Bedrock's own control plane for batch jobs: the caller's Create/Get/List/Stop go up signed with the
/// provider's credentials (SigV4 service `bedrock`), and AWS's answer, error or not, comes back as it was.
public struct BedrockBatchControlPlane: ControlPlaneForwarder {
    static let answerHeaders: Set<String> = ["content-type", "x-amzn-requestid", "x-amzn-errortype"]
    let http: UpstreamHTTP

    public init(http: UpstreamHTTP) {
        self.http = http
    }

    public func forward(_ call: ControlPlaneCall, endpoint: String, target: UpstreamTarget) async throws -> ControlPlaneAnswer {
        let place = try BedrockEndpoint(template: endpoint, region: target.region ?? "us-east-1")
        let path = place.basePath + call.path
        var headers = HTTPHeaders()
        if call.body.readableBytes > 0 { headers.add(name: "content-type", value: "application/json") }
        try BedrockAuth.authorize(
            &headers, method: call.method, host: place.hostHeader, path: path, query: call.query, body: call.body, target: target,
            service: "bedrock")
        let query = call.query.map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: place.origin + path + (query.isEmpty ? "" : "?" + query))
        request.method = HTTPMethod(rawValue: call.method)
        request.headers = headers
        if call.body.readableBytes > 0 { request.body = .bytes(call.body) }
        let http = self.http
        let prepared = request
        return try await Deadline.run(seconds: target.timeoutSeconds, onTimeout: UpstreamHTTP.timeoutError(target)) {
            let response: HTTPClientResponse
            do {
                response = try await http.client.execute(prepared, timeout: .milliseconds(Int64(target.timeoutSeconds * 1000)))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw UpstreamFailure.unreachable(error, target: target)
            }
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: http.maxResponseBytes)
            } catch {
                throw UpstreamFailure.brokenAnswer(error, target: target, limit: http.maxResponseBytes)
            }
            let kept = response.headers.filter { Self.answerHeaders.contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
            return ControlPlaneAnswer(status: Int(response.status.code), headers: kept, body: body)
        }
    }
}
