import Governance
import Logging
import ServiceLifecycle

/// Writes the virtual keys' last-use times, which authentication notes in memory, once a minute and at shutdown:
/// one transaction for all keys instead of a write per request.
struct KeyUseRecorder: Service {
    let ring: KeyRing
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                await flush()
            }
        }
        await flush()
    }

    private func flush() async {
        do {
            try await ring.flushUses()
        } catch {
            logger.warning("recording the last use of virtual keys failed", metadata: ["error": "\(error)"])
        }
    }
}
