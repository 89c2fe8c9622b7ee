import AnthropicDialect
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// Callers at the Anthropic door whose model is served here: the body goes up as the caller wrote it (only `model` set to the target's name for it, which a fallback may change), the answer
/// comes back untouched, and its usage, stop reason and failures are read on the side.
extension AnthropicProvider: PassthroughProvider {
    /// Answer headers the caller's SDK reads (the gateway sets its own `request-id`).
    static let forwardedResponseHeaders: Set<String> = ["content-type"]
    /// A JSON answer larger than this is forwarded without reading its usage (Messages answers are far smaller).
    static let usageCopyLimit = 4 << 20

    public func speaks(_ dialect: String) -> Bool { dialect == "anthropic-messages" }

    public func passthrough(_ request: RawRequest, target: UpstreamTarget, observer: any CallObserver) async throws -> RawResponse {
        var headers = HTTPHeaders(request.headers)
        if headers["content-type"].isEmpty { headers.add(name: "content-type", value: "application/json") }
        if headers["anthropic-version"].isEmpty { headers.add(name: "anthropic-version", value: Self.apiVersion) }
        if let key = target.apiKey, !key.isEmpty { headers.replaceOrAdd(name: "x-api-key", value: key) }
        let body = try JSONBodyPatch.requireModel(request.body, target.model)
        let response = try await http.open(url: url(target), headers: headers, body: body, target: target)
        let isEventStream = response.headers["content-type"].contains { $0.contains("event-stream") }
        let forwarded = response.headers.filter { Self.forwardedResponseHeaders.contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
        let feed = BackpressuredFeed<ByteBuffer>(limit: 4)
        let provider = target.provider
        let maxEventBytes = http.lane(for: target).maxStreamEventBytes
        let captures = observer.answerCaptureBytes != nil
        IdleWatchdog.feed(feed, idleSeconds: target.streamIdleTimeoutSeconds, provider: provider) { progressed in
            var tap = isEventStream ? AnthropicStreamTap(provider: provider, observer: observer, maxEventBytes: maxEventBytes, capturesContent: captures) : nil
            var copy: ByteBuffer? = isEventStream ? nil : ByteBuffer()
            var first = true
            for try await chunk in response.body {
                progressed()
                if first {
                    first = false
                    observer.observeFirstByte()
                }
                tap?.observe(chunk)
                if copy != nil {
                    if copy!.readableBytes + chunk.readableBytes <= Self.usageCopyLimit { copy!.writeImmutableBuffer(chunk) } else { copy = nil }
                }
                try await feed.send(chunk)
            }
            tap?.finish()
            if let copy, let answer = try? JSONDecoder().decode(AnthropicAnswer.self, from: Data(copy.readableBytesView)) {
                observer.observeUsage(answer.canonical(latencyMs: 0).usage)
                if let reason = answer.stop_reason { observer.observeStop(reason) }
                if captures { for block in answer.content { if let text = block.text { observer.observeAnswerText(text) } } }
            }
        }
        return RawResponse(status: Int(response.status.code), headers: forwarded, body: feed.stream)
    }
}
