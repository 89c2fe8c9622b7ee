import Foundation
import Governance
import RequestLog
import Logging
import ServiceLifecycle
import Stores

/// What a gateway on a shared store runs beside the server: the watch that keeps its key cache in step with the
/// other instances, and its heartbeat in the instance registry.
enum SharedStore {
    /// Sent in `/health` and the registry; there is no release numbering yet, so it is the wire-protocol generation.
    static let version = "switchyard/1"

    static func instance() -> GatewayInstance {
        let now = Date()
        var bytes = [UInt8](repeating: 0, count: 6)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let id = "gw-" + bytes.map { String(format: "%02x", $0) }.joined()
        return GatewayInstance(id: id, host: ProcessInfo.processInfo.hostName, version: version, startedAt: now, heartbeatAt: now)
    }
}

/// A key changed on any instance moves the store's key generation; seeing it move, this instance drops its decoded
/// keys, so a revoked key is refused everywhere within one poll (250 ms) plus one request's lookup.
struct KeyGenerationWatch: Service {
    let ring: KeyRing
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var seen: Int64?
            var failing = false
            while (try? await Task.sleep(for: interval)) != nil {
                do {
                    guard let now = try await ring.store.generation() else { return }
                    // The first reading invalidates too: keys may have been cached (and changed) before it.
                    if seen != now { ring.invalidateAll() }
                    seen = now
                    failing = false
                } catch {
                    // Unknown whether keys changed: cached keys may be stale, so none are trusted until it answers.
                    ring.invalidateAll()
                    if !failing { logger.warning("the shared store's key generation could not be read", metadata: ["error": "\(error)"]) }
                    failing = true
                }
            }
        }
    }
}

struct InstanceHeartbeat: Service {
    let registry: any InstanceRegistry
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            repeat {
                do {
                    try await registry.heartbeat(now: Date())
                } catch {
                    logger.warning("the instance heartbeat could not be written", metadata: ["error": "\(error)"])
                }
            } while (try? await Task.sleep(for: interval)) != nil
        }
    }
}

/// The live log feed of a shared store shows every instance's calls: the rows the others append arrive by
/// LISTEN/NOTIFY and are published here like this instance's own.
struct RequestLogFollow: Service {
    let store: any RequestLogStore
    let feed: RequestLogFeed
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let feed = self.feed
                    guard try await store.followOthers({ records in records.forEach(feed.publish) }) else { return }
                } catch is CancellationError {
                    return
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("lost the other instances' log notifications; listening again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
