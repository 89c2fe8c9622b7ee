import NIOConcurrencyHelpers
import SwitchyardModel

/// Runs a body that reads an upstream stream, failing it when no progress is reported for `idleSeconds`,
/// and turns whatever ends it into a `GatewayError` (cancellation aside).
enum IdleWatchdog {
    static func run(
        idleSeconds: Double, provider: String,
        _ body: @escaping @Sendable (_ progressed: @escaping @Sendable () -> Void) async throws -> Void
    ) async throws {
        let lastProgress = NIOLockedValueBox(ContinuousClock.now)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await body { lastProgress.withLockedValue { $0 = .now } }
                }
                group.addTask {
                    let limit = Duration.milliseconds(Int64(idleSeconds * 1000))
                    let tick = Duration.milliseconds(Int64(min(idleSeconds, 1) * 500))
                    while true {
                        try await Task.sleep(for: tick)
                        if lastProgress.withLockedValue({ ContinuousClock.now - $0 }) > limit {
                            throw GatewayError(
                                .streamFailed,
                                "provider '\(provider)' sent nothing for \(UpstreamHTTP.formatSeconds(idleSeconds)) s mid-stream")
                        }
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

    /// Starts `run` in a task feeding `continuation`, cancelled when the consumer goes away.
    static func feed<Element: Sendable>(
        _ continuation: AsyncThrowingStream<Element, any Error>.Continuation, idleSeconds: Double, provider: String,
        _ body: @escaping @Sendable (_ progressed: @escaping @Sendable () -> Void) async throws -> Void
    ) {
        let task = Task {
            do {
                try await run(idleSeconds: idleSeconds, provider: provider, body)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
    }
}
