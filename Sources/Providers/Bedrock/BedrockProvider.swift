import AWSWire
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// AWS Bedrock itself. Callers at the Bedrock door are forwarded byte for byte; the gateway only signs,
/// watches the stream for usage and errors, and gives AWS's own errors back unchanged.
public struct BedrockProvider: ChatProvider, PassthroughProvider {
    static let forwardedResponseHeaders: Set<String> = [
        "content-type", "x-amzn-requestid", "x-amzn-bedrock-content-type", "x-amzn-bedrock-input-token-count",
        "x-amzn-bedrock-output-token-count", "x-amzn-bedrock-invocation-latency", "x-amzn-bedrock-performanceconfig-latency",
        "x-amzn-bedrock-service-tier", "x-amzn-bedrock-cache-read-input-token-count", "x-amzn-bedrock-cache-write-input-token-count",
    ]

    let http: UpstreamHTTP
    let logger: Logger
    /// A Converse answer larger than this is forwarded without reading its usage (Bedrock's answers are far smaller).
    static let usageCopyLimit = 4 << 20

    public init(http: UpstreamHTTP, logger: Logger = Logger(label: "switchyard.bedrock")) {
        self.http = http
        self.logger = logger
    }

    public func speaks(_ dialect: String) -> Bool { dialect == "bedrock-runtime" }

    public func passthrough(_ request: RawRequest, target: UpstreamTarget, observer: any CallObserver) async throws -> RawResponse {
        let endpoint = try BedrockEndpoint(template: target.baseURL, region: target.region ?? "us-east-1")
        let path = endpoint.basePath + "/model/\(SigV4Signer.uriEncode(target.model))/\(request.operation)"
        var headers = HTTPHeaders(request.headers)
        if headers["content-type"].isEmpty { headers.add(name: "content-type", value: "application/json") }
        try BedrockAuth.authorize(
            &headers, method: "POST", host: endpoint.hostHeader, path: path, body: request.body, target: target, service: "bedrock")
        let response = try await http.open(url: endpoint.origin + path, headers: headers, body: request.body, target: target)
        let forwarded = response.headers.filter { Self.forwardedResponseHeaders.contains($0.name.lowercased()) }
        // Any of its content types: a proxy on the way may have added one of its own.
        let isEventStream = response.headers["content-type"].contains { $0.contains("eventstream") }
        let forwardedHeaders = forwarded.map { ($0.name, $0.value) }
        if !isEventStream, let usage = BedrockAnswerUsage.invokeHeaders(forwardedHeaders) { observer.observeUsage(usage) }
        let readsBody = !isEventStream && request.operation == "converse"
        // Content logging on: an InvokeModel answer's own JSON is its content (a Converse answer's text is read
        // from the copy kept for its usage; a stream's from the tap).
        let captures = observer.answerCaptureBytes
        let keepsAnswer = !isEventStream && !readsBody && captures != nil
        // Few chunks: each may be as large as a socket read.
        let feed = BackpressuredFeed<ByteBuffer>(limit: 4)
        let logger = self.logger
        let provider = target.provider
        IdleWatchdog.feed(feed, idleSeconds: target.streamIdleTimeoutSeconds, provider: provider) { progressed in
            var tap = isEventStream ? EventStreamTap(provider: provider, observer: observer, capturesContent: captures != nil) : nil
            var answer: ByteBuffer? = keepsAnswer ? ByteBuffer() : nil
            // A Converse answer names its usage in the JSON; a copy of it is kept (bounded) to read it at the end.
            var copy: ByteBuffer? = readsBody ? ByteBuffer() : nil
            var first = true
            for try await chunk in response.body {
                progressed()
                if first {
                    first = false
                    observer.observeFirstByte()
                }
                if copy != nil {
                    if copy!.readableBytes + chunk.readableBytes <= Self.usageCopyLimit { copy!.writeImmutableBuffer(chunk) } else { copy = nil }
                }
                if let limit = captures, answer != nil, answer!.readableBytes < limit {
                    answer!.writeImmutableBuffer(chunk.getSlice(at: chunk.readerIndex, length: min(chunk.readableBytes, limit - answer!.readableBytes))!)
                }
                guard let passage = tap?.observe(chunk) else {
                    try await feed.send(chunk)
                    continue
                }
                if passage.forward.readableBytes > 0 { try await feed.send(passage.forward) }
                if let ending = passage.ending {
                    try await feed.send(ending)
                    break
                }
            }
            if let rest = tap?.finish(), rest.readableBytes > 0 { try await feed.send(rest) }
            if let copy, let members = BedrockAnswerUsage.members(copy) {
                if let usage = BedrockAnswerUsage.converse(members) { observer.observeUsage(usage) }
                if let reason = members.stopReason { observer.observeStop(reason) }
                if captures != nil, let texts = BedrockAnswerUsage.texts(copy) {
                    for text in BedrockAnswerUsage.converseTexts(texts) { observer.observeAnswerText(text) }
                }
            }
            if let answer, answer.readableBytes > 0 { observer.observeAnswerText(String(buffer: answer)) }
            if logger.logLevel <= .debug, let summary = tap?.summary {
                logger.debug("bedrock stream ended", metadata: ["provider": "\(provider)", "summary": "\(summary)"])
            }
        }
        return RawResponse(status: Int(response.status.code), headers: forwardedHeaders, body: feed.stream)
    }

    /// A request translated from another dialect (or a fallback) goes up as Converse.
    public func complete(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatResponse {
        let started = ContinuousClock.now
        let call = try converseCall(request, operation: "converse", target: target)
        let body = try await http.postJSON(url: call.url, headers: call.headers, body: call.body, target: target)
        let decoded = try JSONCoding.decode(BedrockConverseAnswer.self, from: body, provider: target.provider)
        return decoded.canonical(latencyMs: Int((ContinuousClock.now - started) / .milliseconds(1)))
    }

    public func stream(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatEventStream {
        let call = try converseCall(request, operation: "converse-stream", target: target)
        let response = try await http.open(url: call.url, headers: call.headers, body: call.body, target: target)
        let feed = BackpressuredFeed<StreamEvent>()
        IdleWatchdog.feed(feed, idleSeconds: target.streamIdleTimeoutSeconds, provider: target.provider) { progressed in
            var decoder = EventStreamDecoder()
            var translator = BedrockStreamTranslator(provider: target.provider)
            for try await chunk in response.body {
                progressed()
                for message in try decoder.decode(chunk) {
                    for event in try translator.translate(message) { try await feed.send(event) }
                }
            }
            try translator.finish()
        }
        return feed.stream
    }

    /// A signed Converse request for a canonical one.
    private func converseCall(
        _ request: ChatRequest, operation: String, target: UpstreamTarget
    ) throws -> (url: String, headers: HTTPHeaders, body: ByteBuffer) {
        let body = JSONCoding.encode(BedrockConverseRequestBuilder.body(request))
        let endpoint = try BedrockEndpoint(template: target.baseURL, region: target.region ?? "us-east-1")
        let path = endpoint.basePath + "/model/\(SigV4Signer.uriEncode(target.model))/\(operation)"
        var headers = HTTPHeaders([("content-type", "application/json")])
        try BedrockAuth.authorize(&headers, method: "POST", host: endpoint.hostHeader, path: path, body: body, target: target, service: "bedrock")
        return (endpoint.origin + path, headers, body)
    }
}
