import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema, one named migration per change (never edit a shipped one: add the next). The tables mirror
/// the SQLite ones column for column; names are unquoted, so PostgreSQL folds them to lower case. Amounts and times
/// are BIGINT (nano-dollars, whole seconds or microseconds), expiries DOUBLE PRECISION seconds since 1970.
enum PostgresMigrations {
    /// Instances starting together take this transaction-scoped advisory lock, so one applies and the rest wait and
    /// then find nothing to do.
    static let lockKey: Int64 = 0x5357_5954_4452_4442  // "SWYTDRDB"

    static let all: [(name: String, statements: [String])] = [
        ("v1-governance", [
            """
            CREATE TABLE virtual_keys (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, accessKeyId TEXT NOT NULL UNIQUE, sealedSecret BYTEA NOT NULL,
                active BOOLEAN NOT NULL, expiresAt DOUBLE PRECISION, policy TEXT NOT NULL, metadata TEXT NOT NULL, source TEXT NOT NULL,
                createdAt DOUBLE PRECISION NOT NULL, updatedAt DOUBLE PRECISION NOT NULL, lastUsedAt DOUBLE PRECISION)
            """,
            """
            CREATE TABLE budget_windows (
                keyId TEXT NOT NULL, budgetId TEXT NOT NULL, windowStart BIGINT NOT NULL, limitNanos BIGINT NOT NULL,
                spentNanos BIGINT NOT NULL, reservedNanos BIGINT NOT NULL, PRIMARY KEY (keyId, budgetId))
            """,
            """
            CREATE TABLE budget_reservations (
                id TEXT NOT NULL, keyId TEXT NOT NULL, budgetId TEXT NOT NULL, amountNanos BIGINT NOT NULL,
                expiresAt DOUBLE PRECISION NOT NULL, PRIMARY KEY (id, budgetId))
            """,
            "CREATE INDEX budget_reservations_by_key ON budget_reservations (keyId, expiresAt)",
            "CREATE INDEX budget_reservations_by_expiry ON budget_reservations (expiresAt)",
            """
            CREATE TABLE rate_windows (
                keyId TEXT NOT NULL, kind TEXT NOT NULL, windowSeconds BIGINT NOT NULL, windowStart BIGINT NOT NULL, used BIGINT NOT NULL,
                PRIMARY KEY (keyId, kind, windowSeconds, windowStart))
            """,
            "CREATE TABLE rate_concurrency (keyId TEXT PRIMARY KEY, inFlight BIGINT NOT NULL)",
            "CREATE TABLE rate_leases (id TEXT PRIMARY KEY, keyId TEXT NOT NULL, expiresAt DOUBLE PRECISION NOT NULL)",
            "CREATE INDEX rate_leases_by_key ON rate_leases (keyId, expiresAt)",
            // One counter per kind of shared state an instance caches; every change bumps it in the same transaction.
            "CREATE TABLE store_generations (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
            "INSERT INTO store_generations (name, value) VALUES ('keys', 0)",
            """
            CREATE TABLE gateway_instances (
                id TEXT PRIMARY KEY, host TEXT NOT NULL, version TEXT NOT NULL, startedAt DOUBLE PRECISION NOT NULL,
                heartbeatAt DOUBLE PRECISION NOT NULL)
            """,
        ]),
        ("v2-request-log", [
            """
            CREATE TABLE request_log (
                id TEXT PRIMARY KEY, startMicros BIGINT NOT NULL, endMicros BIGINT NOT NULL, door TEXT NOT NULL, operation TEXT NOT NULL,
                route TEXT NOT NULL, httpStatus BIGINT NOT NULL, errorCode TEXT, errorClass TEXT, provider TEXT, providerKeyName TEXT,
                modelRequested TEXT, modelResolved TEXT, stream BOOLEAN NOT NULL, stopReason TEXT, inputTokens BIGINT NOT NULL,
                outputTokens BIGINT NOT NULL, cacheReadTokens BIGINT NOT NULL, cacheWriteTokens BIGINT NOT NULL, costNanoUSD BIGINT,
                priceVersion TEXT, latencyMs BIGINT NOT NULL, upstreamLatencyMs BIGINT, timeToFirstTokenMs BIGINT, retries BIGINT NOT NULL,
                fallbackIndex BIGINT, batchJobId TEXT, callerIdentity TEXT, userAgent TEXT, contentIn TEXT, contentOut TEXT,
                traceId TEXT, tokensEstimated BOOLEAN NOT NULL, cacheOutcome TEXT, cacheType TEXT)
            """,
            "CREATE INDEX request_log_by_time ON request_log (startMicros, id)",
            "CREATE INDEX request_log_by_model ON request_log (modelResolved, startMicros)",
            "CREATE INDEX request_log_by_status ON request_log (httpStatus, startMicros)",
            "CREATE INDEX request_log_by_provider ON request_log (provider, startMicros)",
            "CREATE INDEX request_log_by_caller ON request_log (callerIdentity, startMicros)",
        ]),
        ("v3-batch", [
            """
            CREATE TABLE batch_jobs (
                id TEXT PRIMARY KEY, clientRequestToken TEXT UNIQUE, status TEXT NOT NULL, name TEXT NOT NULL, owner TEXT,
                submitTime DOUBLE PRECISION NOT NULL, body TEXT NOT NULL, leaseHolder TEXT, leaseExpiresAt DOUBLE PRECISION)
            """,
            "CREATE INDEX batch_jobs_by_submit ON batch_jobs (submitTime, id)",
            "CREATE INDEX batch_jobs_by_status ON batch_jobs (status)",
            """
            CREATE TABLE batch_results (
                jobId TEXT NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE, recordIndex BIGINT NOT NULL, line TEXT NOT NULL,
                succeeded BOOLEAN NOT NULL, inputTokens BIGINT NOT NULL, outputTokens BIGINT NOT NULL, PRIMARY KEY (jobId, recordIndex))
            """,
        ]),
        // Keys in byte order whatever the database's collation: S3 lists in byte order.
        ("v4-files", [
            """
            CREATE TABLE buckets (
                namespace TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL, created DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (namespace, name))
            """,
            """
            CREATE TABLE objects (
                namespace TEXT COLLATE "C" NOT NULL, bucket TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL, etag TEXT NOT NULL,
                size BIGINT NOT NULL, contentType TEXT, metadata TEXT NOT NULL, lastModified DOUBLE PRECISION NOT NULL,
                locationKind TEXT NOT NULL, locationId TEXT NOT NULL, checksumCRC32 TEXT, owner TEXT, PRIMARY KEY (namespace, bucket, key))
            """,
            "CREATE INDEX objects_by_etag ON objects (namespace, etag)",
            """
            CREATE TABLE multipart_uploads (
                uploadId TEXT PRIMARY KEY, namespace TEXT COLLATE "C" NOT NULL, bucket TEXT COLLATE "C" NOT NULL,
                key TEXT COLLATE "C" NOT NULL, contentType TEXT, metadata TEXT NOT NULL, initiated DOUBLE PRECISION NOT NULL, owner TEXT)
            """,
            "CREATE INDEX multipart_uploads_by_key ON multipart_uploads (namespace, bucket, key, uploadId)",
            """
            CREATE TABLE multipart_parts (
                uploadId TEXT NOT NULL REFERENCES multipart_uploads (uploadId) ON DELETE CASCADE, partNumber BIGINT NOT NULL,
                blobId TEXT NOT NULL, etag TEXT NOT NULL, size BIGINT NOT NULL, checksumCRC32 TEXT NOT NULL,
                lastModified DOUBLE PRECISION NOT NULL, PRIMARY KEY (uploadId, partNumber))
            """,
            """
            CREATE TABLE provider_file_owners (
                namespace TEXT COLLATE "C" NOT NULL, bucket TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL, owner TEXT,
                created DOUBLE PRECISION NOT NULL, PRIMARY KEY (namespace, bucket, key))
            """,
        ]),
        ("v5-cache", [
            "CREATE SEQUENCE cache_entries_seq",
            """
            CREATE TABLE cache_entries (
                id TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, scope TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
                partition TEXT, embedding BYTEA, answer BYTEA NOT NULL, createdAt DOUBLE PRECISION NOT NULL,
                expiresAt DOUBLE PRECISION NOT NULL, hits BIGINT NOT NULL DEFAULT 0,
                seq BIGINT NOT NULL DEFAULT nextval('cache_entries_seq'))
            """,
            "CREATE INDEX cache_entries_by_seq ON cache_entries (seq)",
            "CREATE INDEX cache_entries_by_expiry ON cache_entries (expiresAt)",
            "CREATE INDEX cache_entries_by_scope ON cache_entries (scope)",
        ]),
        ("v6-dashboard-sessions", [
            "CREATE TABLE dashboard_sessions (keyHash TEXT PRIMARY KEY, csrf TEXT NOT NULL, expiresAt DOUBLE PRECISION NOT NULL)",
        ]),
    ]

    /// Applies what is missing, under the advisory lock, each migration in the same transaction as its record.
    static func migrate(_ database: PostgresDatabase) async throws -> [String] {
        try await database.transaction { connection in
            try await connection.rows("SELECT pg_advisory_xact_lock(\(lockKey))", database.logger)
            try await connection.rows(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, appliedAt DOUBLE PRECISION NOT NULL)", database.logger)
            var applied = Set<String>()
            for row in try await connection.rows("SELECT name FROM schema_migrations", database.logger) {
                applied.insert(try row.decode(String.self))
            }
            var ran: [String] = []
            for migration in all where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.rows(PostgresQuery(unsafeSQL: statement), database.logger)
                }
                let now = Date().timeIntervalSince1970
                try await connection.rows("INSERT INTO schema_migrations (name, appliedAt) VALUES (\(migration.name), \(now))", database.logger)
                ran.append(migration.name)
            }
            return ran
        }
    }
}
