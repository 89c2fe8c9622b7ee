import Foundation
import PostgresNIO

/// One row per gateway instance on a shared database: who it is and when it last said so.
public struct GatewayInstance: Sendable, Hashable, Codable {
    public var id: String
    public var host: String
    public var version: String
    public var startedAt: Date
    public var heartbeatAt: Date

    public init(id: String, host: String, version: String, startedAt: Date, heartbeatAt: Date) {
        self.id = id
        self.host = host
        self.version = version
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
    }
}

public protocol InstanceRegistry: Sendable {
    var this: GatewayInstance { get }
    /// Records that this instance is alive (and registers it the first time).
    func heartbeat(now: Date) async throws
    /// Instances whose heartbeat is newer than `since`, oldest start first; older rows are removed.
    func instances(since: Date) async throws -> [GatewayInstance]
}

public struct PostgresInstanceRegistry: InstanceRegistry {
    let database: PostgresDatabase
    public let this: GatewayInstance

    public init(database: PostgresDatabase, this: GatewayInstance) {
        self.database = database
        self.this = this
    }

    public func heartbeat(now: Date) async throws {
        let at = now.timeIntervalSince1970
        try await database.query(
            """
            INSERT INTO gateway_instances (id, host, version, startedAt, heartbeatAt)
            VALUES (\(this.id), \(this.host), \(this.version), \(this.startedAt.timeIntervalSince1970), \(at))
            ON CONFLICT (id) DO UPDATE SET heartbeatAt = excluded.heartbeatAt
            """)
    }

    public func instances(since: Date) async throws -> [GatewayInstance] {
        let cutoff = since.timeIntervalSince1970
        // Instances gone for an hour are forgotten, so the table does not grow with every restart.
        try await database.query("DELETE FROM gateway_instances WHERE heartbeatAt < \(cutoff - 3600)")
        return try await database.query(
            "SELECT id, host, version, startedAt, heartbeatAt FROM gateway_instances WHERE heartbeatAt >= \(cutoff) ORDER BY startedAt, id"
        ).map { row in
            let (id, host, version, started, beat) = try row.decode((String, String, String, Double, Double).self)
            return GatewayInstance(
                id: id, host: host, version: version, startedAt: Date(timeIntervalSince1970: started), heartbeatAt: Date(timeIntervalSince1970: beat))
        }
    }
}
