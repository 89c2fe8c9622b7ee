import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import SwitchyardModel

/// Reads an upstream SSE body as it arrives and yields canonical events, failing the stream when the upstream
/// breaks off or stays silent longer than the idle timeout.
enum SSEStreamPump {
    static func events<T: StreamTranslator>(
        from response: HTTPClientResponse, translator: T, target: UpstreamTarget
    ) -> ChatEventStream {
        let (stream, continuation) = ChatEventStream.makeStream()
        let idle = target.streamIdleTimeoutSeconds
        let provider = target.provider
        let task = Task {
            let lastProgress = NIOLockedValueBox(ContinuousClock.now)
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        var parser = SSEParser()
                        var translator = translator
                        for try await chunk in response.body {
                            lastProgress.withLockedValue { $0 = .now }
                            for event in parser.feed(chunk.readableBytesView) {
                                for out in try translator.translate(event) { continuation.yield(out) }
                            }
                        }
                        if let event = parser.finish() {
                            for out in try translator.translate(event) { continuation.yield(out) }
                        }
                        for out in try translator.finish() { continuation.yield(out) }
                    }
                    group.addTask {
                        let tick = Duration.milliseconds(Int64(min(idle, 1) * 1000 / 2))
                        while true {
                            try await Task.sleep(for: tick)
                            let silent = lastProgress.withLockedValue { ContinuousClock.now - $0 }
                            if silent > .milliseconds(Int64(idle * 1000)) {
                                throw GatewayError(
                                    .streamFailed,
                                    "provider '\(provider)' sent nothing for \(UpstreamHTTP.formatSeconds(idle)) s mid-stream")
                            }
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
                continuation.finish()
            } catch let error as GatewayError {
                continuation.finish(throwing: error)
            } catch is CancellationError {
                continuation.finish(throwing: CancellationError())
            } catch {
                continuation.finish(
                    throwing: GatewayError(
                        .streamFailed, "provider '\(provider)' broke off the stream: \(UpstreamHTTP.describe(error))"))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
