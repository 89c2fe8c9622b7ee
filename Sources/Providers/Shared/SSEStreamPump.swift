import AsyncHTTPClient
import NIOCore
import SwitchyardModel

/// Reads an upstream SSE body as it arrives and yields canonical events.
enum SSEStreamPump {
    static func events<T: StreamTranslator>(
        from response: HTTPClientResponse, translator: T, target: UpstreamTarget
    ) -> ChatEventStream {
        let (stream, continuation) = ChatEventStream.makeStream()
        IdleWatchdog.feed(continuation, idleSeconds: target.streamIdleTimeoutSeconds, provider: target.provider) { progressed in
            var parser = SSEParser()
            var translator = translator
            for try await chunk in response.body {
                progressed()
                for event in parser.feed(chunk.readableBytesView) {
                    for out in try translator.translate(event) { continuation.yield(out) }
                }
            }
            if let event = parser.finish() {
                for out in try translator.translate(event) { continuation.yield(out) }
            }
            for out in try translator.finish() { continuation.yield(out) }
        }
        return stream
    }
}
