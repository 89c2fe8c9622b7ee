import Foundation
import GRDB
import Testing

@testable import Stores

@Suite struct MigrationTests {
    static let all = ["v1", "v2-request-log", "v3-request-log-trace", "v5-virtual-keys", "v6-spend", "v7-request-log-by-caller", "v8-ownership", "v9-cache"]

    @Test func freshDatabaseGetsEveryMigrationAndWAL() throws {
        let dir = try TemporaryDirectory()
        let pool = try StoreDatabase.open(dataDir: dir.path)
        #expect(try StoreDatabase.appliedMigrations(pool) == Self.all)
        let tables = try pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' ORDER BY name")
        }
        #expect(
            tables == [
                "batch_jobs", "batch_results", "buckets", "budget_reservations", "budget_windows", "cache_entries", "multipart_parts", "multipart_uploads",
                "objects", "provider_file_owners", "rate_concurrency", "rate_leases", "rate_windows", "request_log", "virtual_keys",
            ])
        let mode = try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/switchyard.sqlite"))
    }

    @Test func reopeningKeepsDataAndAppliesNothingTwice() async throws {
        let dir = try TemporaryDirectory()
        do {
            let pool = try StoreDatabase.open(dataDir: dir.path)
            try await SQLiteFileIndex(pool: pool).createBucket(BucketRecord(namespace: "gateway", name: "b", created: Date()))
            try pool.close()
        }
        let pool = try StoreDatabase.open(dataDir: dir.path)
        #expect(try StoreDatabase.appliedMigrations(pool) == Self.all)
        #expect(try await SQLiteFileIndex(pool: pool).bucket(namespace: "gateway", name: "b") != nil)
    }
}
