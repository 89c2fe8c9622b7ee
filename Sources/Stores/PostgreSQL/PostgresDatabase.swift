import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// One PostgreSQL database shared by every gateway instance: a connection pool, its background task, and the
/// transaction discipline the stores share (every write is one transaction; a transaction that lost a deadlock or a
/// serialization race is run again, which is safe because it was rolled back whole).
public final class PostgresDatabase: Sendable {
    public let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    public init(url: String, maxConnections: Int = 20, logger: Logger) throws {
        let configuration = try Self.configuration(url: url, maxConnections: maxConnections)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        // The pool only opens connections while `run` runs; it ends with `close`.
        runner = Task { await client.run() }
    }

    public func close() {
        runner.cancel()
    }

    /// `postgres://user:password@host:port/database?sslmode=disable|prefer|require`. Without `sslmode` a loopback
    /// host gets no TLS and any other host requires it, so a password never crosses a network in the clear by default.
    static func configuration(url: String, maxConnections: Int) throws -> PostgresClient.Configuration {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? ""), let host = parts.host,
            !host.isEmpty
        else {
            throw PostgresStoreError.badURL("expected postgres://user:password@host:port/database")
        }
        let mode = parts.queryItems?.first { $0.name == "sslmode" }?.value ?? (["localhost", "127.0.0.1", "::1"].contains(host) ? "disable" : "require")
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw PostgresStoreError.badURL("sslmode must be disable, prefer or require, not '\(mode)'")
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        var configuration = PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: parts.user?.removingPercentEncoding ?? "postgres",
            password: parts.password?.removingPercentEncoding, database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.maximumConnections = maxConnections
        configuration.options.minimumConnections = 1
        return configuration
    }

    /// Where a URL points, without its user or password: `host:port/database`.
    public static func describe(url: String) -> String {
        guard let parts = URLComponents(string: url), let host = parts.host else { return "(unparsable URL)" }
        return "\(host):\(parts.port ?? 5432)\(parts.path)"
    }

    /// Runs `body` in one transaction on one connection; deadlocks and serialization failures run it again.
    public func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        var attempt = 0
        while true {
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch let error as PostgresTransactionError {
                let underlying = error.closureError ?? error.commitError ?? error.beginError ?? error
                guard let psql = underlying as? PSQLError, Self.isRetryable(psql), attempt < 8 else { throw underlying }
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 << min(attempt, 5)))))
            }
        }
    }

    /// One statement outside a transaction (a read, or a write that is atomic on its own).
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await client.query(query, logger: logger).collect()
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// A unique constraint failed (SQLSTATE 23505).
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }
}

public enum PostgresStoreError: Error, CustomStringConvertible {
    case badURL(String)
    case migration(String)

    public var description: String {
        switch self {
        case .badURL(let why): "the PostgreSQL URL is not valid: \(why)"
        case .migration(let why): "the PostgreSQL schema could not be brought up to date: \(why)"
        }
    }
}

extension PostgresConnection {
    @discardableResult
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}

/// Numbered parameters for statements whose text is built at run time (filters, optional conditions).
struct PostgresParameters {
    var binds = PostgresBindings()

    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func list(_ values: [some PostgresDynamicTypeEncodable]) -> String {
        values.map { bind($0) }.joined(separator: ", ")
    }

    /// The owner filter as a condition ("" for everyone).
    mutating func owner(_ scope: OwnerScope) -> String {
        switch scope {
        case .everyone: ""
        case .owner(nil): " AND owner IS NULL"
        case .owner(let owner?): " AND owner = \(bind(owner))"
        }
    }

    func query(_ sql: String) -> PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
