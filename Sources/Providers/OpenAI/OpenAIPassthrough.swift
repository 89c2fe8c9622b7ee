import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OpenAIDialect
import SwitchyardModel

/// The OpenAI door's calls to an OpenAI-compatible provider go up as the caller wrote them (only `model` becomes the
/// upstream's name for it) and come back untouched; usage and the finish reason are read on the side.
extension OpenAIProvider: PassthroughProvider {
    public static let dialect = "openai-chat"

    public func speaks(_ dialect: String) -> Bool { dialect == Self.dialect }

    public func passthrough(_ request: RawRequest, target: UpstreamTarget, observer: any CallObserver) async throws -> RawResponse {
        let body = try JSONBodyPatch.requireModel(request.body, target.model)
        let stream = request.operation == "chat/completions-stream"
        var headers = headers(target)
        if stream { headers.replaceOrAdd(name: "accept", value: "text/event-stream") }
        if !stream {
            let answer = try await http.postJSON(url: url(target), headers: headers, body: body, target: target)
            observer.observeFirstByte()
            if let decoded = try? JSONDecoder().decode(OpenAIChatResponse.self, from: Data(answer.readableBytesView)) {
                observer.observeUsage(decoded.usage?.canonical ?? Usage())
                if let reason = decoded.choices.first?.finish_reason { observer.observeStop(reason) }
                if observer.answerCaptureBytes != nil, let text = decoded.choices.first?.message.content { observer.observeAnswerText(text) }
            }
            let single = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                continuation.yield(answer)
                continuation.finish()
            }
            return RawResponse(status: 200, headers: [("content-type", "application/json")], body: single)
        }
        let response = try await http.open(url: url(target), headers: headers, body: body, target: target)
        let feed = BackpressuredFeed<ByteBuffer>(limit: 4)
        let provider = target.provider
        let maxEventBytes = http.lane(for: target).maxStreamEventBytes
        IdleWatchdog.feed(feed, idleSeconds: target.streamIdleTimeoutSeconds, provider: provider) { progressed in
            var parser = SSEParser(maxEventBytes: maxEventBytes)
            var first = true
            var text = observer.answerCaptureBytes != nil ? "" : nil
            for try await chunk in response.body {
                progressed()
                if first {
                    first = false
                    observer.observeFirstByte()
                }
                for event in try parser.feed(chunk.readableBytesView) where event.data != "[DONE]" {
                    guard text != nil || JSONMemberSniffer.hasValue("usage", in: event.data)
                        || JSONMemberSniffer.hasValue("finish_reason", in: event.data) || JSONMemberSniffer.hasValue("error", in: event.data)
                    else { continue }
                    guard let decoded = try? JSONDecoder().decode(OpenAIChunk.self, from: Data(event.data.utf8)) else { continue }
                    if let usage = decoded.usage { observer.observeUsage(usage.canonical) }
                    if let reason = decoded.choices?.first?.finish_reason { observer.observeStop(reason) }
                    if text != nil, let piece = decoded.choices?.first?.delta?.content { text! += piece }
                    if let failure = decoded.error {
                        observer.observeFailure(GatewayError(.streamFailed, failure.message ?? "the upstream stream failed", upstreamCode: failure.code))
                    }
                }
                try await feed.send(chunk)
            }
            if let text, !text.isEmpty { observer.observeAnswerText(text) }
        }
        return RawResponse(status: Int(response.status.code), headers: [("content-type", "text/event-stream")], body: feed.stream)
    }
}
