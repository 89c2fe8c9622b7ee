import Logging
import ServiceLifecycle
import Stores

/// Sweeps expired multipart uploads at start (what was abandoned while the gateway was down) and then every hour,
/// or sooner when uploads expire sooner, until graceful shutdown.
struct MultipartExpiryService: Service {
    let expiry: MultipartExpiry
    let logger: Logger

    var period: Duration { .seconds(min(3600, expiry.maxAge)) }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await expiry.sweep()
                } catch {
                    logger.warning("multipart expiry sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: period)
            }
        }
    }
}
