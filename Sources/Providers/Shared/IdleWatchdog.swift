import NIOConcurrencyHelpers
import SwitchyardModel

/// Runs a body that reads an upstream stream, failing it when no progress is reported for `idleSeconds`,
/// and turns whatever ends it into a `GatewayError` (cancellation aside).
enum IdleWatchdog {
    static func run(
        idleSeconds: Double, provider: String, paused: @escaping @Sendable () -> Bool = { false },
        _ body: @escaping @Sendable (_ progressed: @escaping @Sendable () -> Void) async throws -> Void
    ) async throws {
        let lastProgress = NIOLockedValueBox(ContinuousClock.now)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await body { lastProgress.withLockedValue { $0 = .now } }
                }
                group.addTask {
                    // One wake-up per idle period rather than a tick: thousands of open streams each sleep until
                    // their own deadline. Time the producer spends waiting for a slow client is not the upstream's.
                    let limit = Duration.milliseconds(Int64(idleSeconds * 1000))
                    var wait = limit
                    while true {
                        try await Task.sleep(for: wait)
                        let now = ContinuousClock.now
                        let idle = lastProgress.withLockedValue { last in
                            if paused() { last = now }
                            return now - last
                        }
                        if idle >= limit {
                            throw GatewayError(
                                .streamFailed,
                                "provider '\(provider)' sent nothing for \(UpstreamHTTP.formatSeconds(idleSeconds)) s mid-stream")
                        }
                        wait = limit - idle
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } catch let error as GatewayError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw GatewayError(.streamFailed, "provider '\(provider)' broke off the stream: \(UpstreamHTTP.describe(error))")
        }
    }

    /// Starts `run` in a task that sends into `feed`, cancelled when the feed's consumer goes away.
    static func feed<Element: Sendable>(
        _ feed: BackpressuredFeed<Element>, idleSeconds: Double, provider: String,
        _ body: @escaping @Sendable (_ progressed: @escaping @Sendable () -> Void) async throws -> Void
    ) {
        let task = Task {
            do {
                try await run(idleSeconds: idleSeconds, provider: provider, paused: { feed.producerWaits }, body)
                feed.finish()
            } catch {
                feed.finish(throwing: error)
            }
        }
        feed.whenCancelled { task.cancel() }
    }
}
