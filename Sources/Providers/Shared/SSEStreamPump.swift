import AsyncHTTPClient
import NIOCore
import SwitchyardModel

/// Reads an upstream SSE body as it arrives and yields canonical events.
enum SSEStreamPump {
    static func events<T: StreamTranslator>(
        from response: HTTPClientResponse, translator: T, target: UpstreamTarget, maxEventBytes: Int = SSEParser.defaultMaxEventBytes
    ) -> ChatEventStream {
        let feed = BackpressuredFeed<StreamEvent>()
        IdleWatchdog.feed(feed, idleSeconds: target.streamIdleTimeoutSeconds, provider: target.provider) { progressed in
            var parser = SSEParser(maxEventBytes: maxEventBytes)
            var translator = translator
            do {
                for try await chunk in response.body {
                    progressed()
                    for event in try parser.feed(chunk.readableBytesView) {
                        for out in try translator.translate(event) { try await feed.send(out) }
                    }
                }
                if let event = try parser.finish() {
                    for out in try translator.translate(event) { try await feed.send(out) }
                }
            } catch let error as SSEEventTooLong {
                throw GatewayError(
                    .streamFailed,
                    "provider '\(target.provider)' sent a stream event longer than \(error.limit) bytes (its max_stream_event_bytes)")
            }
            for out in try translator.finish() { try await feed.send(out) }
        }
        return feed.stream
    }
}
