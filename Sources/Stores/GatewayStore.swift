import Foundation
import GRDB
import Logging

/// The gateway's embedded state, opened once at start: one SQLite database (`<dataDir>/switchyard.sqlite`, WAL) for
/// the file index, multipart uploads and batch jobs, and object bytes under `<dataDir>/objects/`.
public struct GatewayStore: Sendable {
    public let dataDir: String
    public let files: SQLiteFileIndex
    public let multipart: SQLiteMultipartStore
    public let batchJobs: SQLiteBatchJobStore
    public let blobs: DiskBlobStore
    let pool: DatabasePool

    public static func open(dataDir: String, logger: Logger) async throws -> GatewayStore {
        let blobs = try await DiskBlobStore.open(dataDir: dataDir)
        // Opening and migrating is blocking file work: on the thread pool, like every other disk access.
        let pool = try await blobs.threadPool.runIfActive { try StoreDatabase.open(dataDir: dataDir) }
        logger.info("store opened", metadata: ["dataDir": "\(dataDir)"])
        return GatewayStore(
            dataDir: dataDir, files: SQLiteFileIndex(pool: pool), multipart: SQLiteMultipartStore(pool: pool),
            batchJobs: SQLiteBatchJobStore(pool: pool), blobs: blobs, pool: pool)
    }

    /// Checkpoints the WAL and closes the database; the store must not be used afterwards.
    public func close() throws {
        try pool.close()
    }
}
