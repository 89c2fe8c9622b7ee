import Foundation
import GRDB
import Logging

/// The gateway's embedded state, opened once at start: one SQLite database (`<dataDir>/switchyard.sqlite`, WAL) for
/// the file index, multipart uploads, batch jobs, the request log, virtual keys, budgets and rate limits, and object bytes under `<dataDir>/objects/`.
public struct GatewayStore: Sendable {
    public let dataDir: String
    public let files: SQLiteFileIndex
    public let multipart: SQLiteMultipartStore
    public let batchJobs: SQLiteBatchJobStore
    public let requestLog: SQLiteRequestLogStore
    public let virtualKeys: SQLiteVirtualKeyStore
    public let spend: SQLiteSpendStore
    public let rateLimits: SQLiteRateLimitStore
    /// The spend and rate-limit tables as the governance hot path writes them: one transaction for many calls.
    public let ledger: SQLiteGovernanceLedger
    public let providerFileOwners: SQLiteProviderFileOwners
    public let cacheEntries: SQLiteCacheEntryStore
    public let blobs: DiskBlobStore
    let pool: DatabasePool

    public static func open(dataDir: String, logger: Logger) async throws -> GatewayStore {
        let blobs = try await DiskBlobStore.open(dataDir: dataDir)
        // Opening and migrating is blocking file work: on the thread pool, like every other disk access.
        let pool = try await blobs.threadPool.runIfActive { try StoreDatabase.open(dataDir: dataDir) }
        let store = GatewayStore(
            dataDir: dataDir, files: SQLiteFileIndex(pool: pool), multipart: SQLiteMultipartStore(pool: pool),
            batchJobs: SQLiteBatchJobStore(pool: pool), requestLog: SQLiteRequestLogStore(pool: pool),
            virtualKeys: SQLiteVirtualKeyStore(pool: pool), spend: SQLiteSpendStore(pool: pool), rateLimits: SQLiteRateLimitStore(pool: pool),
            ledger: SQLiteGovernanceLedger(pool: pool),
            providerFileOwners: SQLiteProviderFileOwners(pool: pool), cacheEntries: SQLiteCacheEntryStore(pool: pool), blobs: blobs, pool: pool)
        let swept = try await store.removeOrphanBlobs()
        logger.info("store opened", metadata: ["dataDir": "\(dataDir)", "orphanBlobsRemoved": "\(swept)"])
        return store
    }

    /// Bytes a crash left written but never indexed (a put dies between the two): invisible, but they would take
    /// disk space for ever. Run at start, before anything writes.
    func removeOrphanBlobs() async throws -> Int {
        let referenced = try await pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT locationId FROM objects WHERE locationKind = 'local' UNION SELECT blobId FROM multipart_parts"))
        }
        var removed = 0
        for blobId in try await blobs.allBlobIds() where !referenced.contains(blobId) {
            try await blobs.delete(blobId: blobId)
            removed += 1
        }
        return removed
    }

    /// Checkpoints the WAL and closes the database; the store must not be used afterwards.
    public func close() throws {
        try pool.close()
    }
}
