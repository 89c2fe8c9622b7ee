import AsyncHTTPClient
import NIOCore
import NIOPosix
import Synchronization

/// One provider's own HTTP clients and the limits that go with them. Each provider gets its own connection pools
/// (sized by its `max_connections`) and read timeout, so one provider's settings neither starve nor loosen another's.
public struct UpstreamLane: Sendable {
    /// One client, or one per event loop, each with its own pool on that loop (`Gateway.makeUpstreamHTTP`).
    public let clients: [HTTPClient]
    private let loops: [ObjectIdentifier]
    private let loads: PoolLoads?
    /// The pool size of all clients together (the sum of their shares), named when every connection is busy.
    public let maxConnections: Int
    /// The longest SSE line or event a stream may carry before it is cut with an error.
    public var maxStreamEventBytes: Int

    public init(client: HTTPClient, maxConnections: Int, maxStreamEventBytes: Int = SSEParser.defaultMaxEventBytes) {
        self.init(clients: [client], shares: [maxConnections], maxStreamEventBytes: maxStreamEventBytes)
    }

    /// `clients` each made on one event loop of its own, with `shares[i]` connections (or a single client on any
    /// group); the provider's limit is the sum of the shares.
    public init(clients: [HTTPClient], shares: [Int], maxStreamEventBytes: Int = SSEParser.defaultMaxEventBytes) {
        precondition(!clients.isEmpty && clients.count == shares.count)
        self.clients = clients
        self.loops = clients.map { ObjectIdentifier($0.eventLoopGroup) }
        self.loads = clients.count > 1 ? PoolLoads(shares: shares) : nil
        self.maxConnections = shares.reduce(0, +)
        self.maxStreamEventBytes = maxStreamEventBytes
    }

    /// The client for a call that reports nothing back (batch and file calls): its own loop's pool unless that
    /// one is full.
    public var client: HTTPClient {
        guard let loads else { return clients[0] }
        return clients[loads.choose(preferring: currentLoopIndex)]
    }

    /// The client for one upstream call, counted until `lease` is released.
    ///
    /// The call's own event loop's pool comes first. With one pool for all loops, a call on one loop often leased
    /// a connection of another (AsyncHTTPClient takes any idle one when its own loop has none), so the answer
    /// arrived on the other thread and every write back to the caller's connection crossed threads: a job queued
    /// and a thread woken per write. Which loops a pool's connections landed on depended on its history, so one
    /// gateway paid this and the next did not. A full pool sends the call to the pool with the most room, so the
    /// provider's concurrency stays `max_connections`, not one loop's share of it.
    public func lease() -> (client: HTTPClient, lease: PoolLease?) {
        guard let loads else { return (clients[0], nil) }
        let index = loads.choose(preferring: currentLoopIndex, taking: true)
        return (clients[index], PoolLease(loads: loads, index: index))
    }

    private var currentLoopIndex: Int {
        guard let current = MultiThreadedEventLoopGroup.currentEventLoop else { return 0 }
        let id = ObjectIdentifier(current)
        for index in loops.indices where loops[index] == id { return index }
        return 0
    }
}

/// Upstream calls in flight per pool of a lane.
final class PoolLoads: Sendable {
    let shares: [Int]
    private let counts: Mutex<[Int]>

    init(shares: [Int]) {
        self.shares = shares
        counts = Mutex(Array(repeating: 0, count: shares.count))
    }

    /// `preferred` while it has room, else the pool with the most room (`preferred` again when none has any:
    /// AsyncHTTPClient then queues the call as it always did).
    func choose(preferring preferred: Int, taking: Bool = false) -> Int {
        counts.withLock { counts in
            var chosen = preferred
            if counts[preferred] >= shares[preferred] {
                var room = 0
                for index in counts.indices where shares[index] - counts[index] > room {
                    room = shares[index] - counts[index]
                    chosen = index
                }
            }
            if taking { counts[chosen] += 1 }
            return chosen
        }
    }

    func release(_ index: Int) {
        counts.withLock { $0[index] -= 1 }
    }
}

/// One counted call of a pool; released when the answer's body (which holds it) is gone.
public final class PoolLease: Sendable {
    let loads: PoolLoads
    let index: Int

    init(loads: PoolLoads, index: Int) {
        self.loads = loads
        self.index = index
    }

    deinit { loads.release(index) }
}

/// An answer's body that keeps its call counted for as long as anyone can still read it: AsyncHTTPClient holds
/// the connection until the body is read to its end or dropped.
struct LeasedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: HTTPClientResponse.Body
    let lease: PoolLease

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let lease: PoolLease

        mutating func next() async throws -> ByteBuffer? { try await base.next(isolation: #isolation) }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), lease: lease) }
}
