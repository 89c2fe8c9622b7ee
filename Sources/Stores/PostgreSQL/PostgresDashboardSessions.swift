import Crypto
import Foundation
import PostgresNIO

/// Where dashboard logins live when several gateways serve the dashboard: a browser logged in through one instance
/// is logged in on all of them, and logging out anywhere ends it everywhere.
public protocol DashboardSessionStore: Sendable {
    func put(sessionId: String, csrf: String, expires: Date) async throws
    /// The session's CSRF token, if it is live at `now`.
    func csrf(sessionId: String, now: Date) async throws -> String?
    func delete(sessionId: String) async throws
}

/// Rows are keyed by the SHA-256 of the session id, so reading the table gives no cookie that logs anyone in.
public struct PostgresDashboardSessions: DashboardSessionStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    static func key(_ sessionId: String) -> String {
        SHA256.hash(data: Data(sessionId.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public func put(sessionId: String, csrf: String, expires: Date) async throws {
        let now = Date().timeIntervalSince1970
        try await database.transaction { connection in
            try await connection.rows("DELETE FROM dashboard_sessions WHERE expiresAt <= \(now)", database.logger)
            try await connection.rows(
                "INSERT INTO dashboard_sessions (keyHash, csrf, expiresAt) VALUES (\(Self.key(sessionId)), \(csrf), \(expires.timeIntervalSince1970))",
                database.logger)
        }
    }

    public func csrf(sessionId: String, now: Date) async throws -> String? {
        try await database.query(
            "SELECT csrf FROM dashboard_sessions WHERE keyHash = \(Self.key(sessionId)) AND expiresAt > \(now.timeIntervalSince1970)"
        ).first?.decode(String.self)
    }

    public func delete(sessionId: String) async throws {
        try await database.query("DELETE FROM dashboard_sessions WHERE keyHash = \(Self.key(sessionId))")
    }
}
