import AsyncHTTPClient
import NIOCore
import NIOPosix
import Testing

@testable import Providers

/// A lane with one client per event loop hands a call the client whose pool lives on the loop the call runs on,
/// so the upstream answer arrives on the thread that writes it back to the caller.
@Suite struct UpstreamLaneTests {
    @Test func aCallOnAnEventLoopGetsThatLoopsClient() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let loops = Array(group.makeIterator())
        let clients = loops.map { HTTPClient(eventLoopGroup: $0) }
        let lane = UpstreamLane(clients: clients, shares: [64, 64, 64])
        #expect(lane.maxConnections == 192)
        for (index, loop) in loops.enumerated() {
            let chosen = try await loop.submit { ObjectIdentifier(lane.client) }.get()
            #expect(chosen == ObjectIdentifier(clients[index]), "loop \(index)")
            let leased = try await loop.submit { ObjectIdentifier(lane.lease().client) }.get()
            #expect(leased == ObjectIdentifier(clients[index]), "loop \(index)")
        }
        // Off any event loop (a test's task, a batch runner's thread): the first client.
        #expect(ObjectIdentifier(lane.client) == ObjectIdentifier(clients[0]))
        for client in clients { try await client.shutdown() }
        try await group.shutdownGracefully()
    }

    @Test func aLaneOfOneClientAlwaysUsesIt() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let client = HTTPClient(eventLoopGroup: group)
        let lane = UpstreamLane(client: client, maxConnections: 8)
        for loop in group.makeIterator() {
            let chosen = try await loop.submit { ObjectIdentifier(lane.client) }.get()
            #expect(chosen == ObjectIdentifier(client))
            // Nothing to balance, so nothing is counted: the call carries no lease and its body is not wrapped.
            let leased = try await loop.submit { lane.lease().lease == nil }.get()
            #expect(leased)
        }
        try await client.shutdown()
        try await group.shutdownGracefully()
    }

    /// A loop whose own pool has all its share in flight sends the next call to the pool with the most room, so
    /// the provider's concurrency is the sum of the shares; a released lease makes room again.
    @Test func aFullPoolSendsTheCallToTheOneWithTheMostRoom() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let loops = Array(group.makeIterator())
        let clients = loops.map { HTTPClient(eventLoopGroup: $0) }
        let lane = UpstreamLane(clients: clients, shares: [2, 1, 3])
        func lease(on loop: any EventLoop) async throws -> (Int, PoolLease?) {
            try await loop.submit {
                let (client, lease) = lane.lease()
                return (clients.firstIndex { $0 === client }!, lease)
            }.get()
        }
        var held: [PoolLease?] = []
        var chosen: [Int] = []
        for _ in 0..<6 {
            let (index, lease) = try await lease(on: loops[0])
            chosen.append(index)
            held.append(lease)
        }
        // Two on loop 0's own pool, then the most room: pool 2 (3 free), pool 2 again (2 free against pool 1's
        // one), then pool 1 (a tie goes to the first found), then pool 2.
        #expect(chosen == [0, 0, 2, 2, 1, 2])
        // Everything is full: the call stays on its own loop's pool and waits there, as AsyncHTTPClient queues it.
        let (overflow, _) = try await lease(on: loops[1])
        #expect(overflow == 1)
        held.remove(at: 0)
        let (again, _) = try await lease(on: loops[1])
        #expect(again == 0)
        held.removeAll()
        for client in clients { try await client.shutdown() }
        try await group.shutdownGracefully()
    }
}
