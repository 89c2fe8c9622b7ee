import Foundation
import GRDB
import Logging

/// Where the shared tables live and who this instance is.
public struct PostgresStoreSettings: Sendable {
    public var url: String
    public var maxConnections: Int
    public var instance: GatewayInstance
    /// Where object bytes live (`<sharedDir>/objects/`): a directory every instance mounts. Nil: the data directory,
    /// which only suits one instance or instances that share it.
    public var sharedDir: String?

    public init(url: String, maxConnections: Int = 20, instance: GatewayInstance, sharedDir: String? = nil) {
        self.url = url
        self.maxConnections = maxConnections
        self.instance = instance
        self.sharedDir = sharedDir
    }
}

/// The gateway's state, opened once at start. Embedded: one SQLite database (`<dataDir>/switchyard.sqlite`, WAL)
/// for everything, and object bytes under `<dataDir>/objects/`. Shared (`store: postgres:`): virtual keys, budgets,
/// rate limits and the request log live in PostgreSQL, where several instances see one copy; the rest stays in the
/// SQLite database of the data directory.
public struct GatewayStore: Sendable {
    public let dataDir: String
    public let files: any FileIndex
    public let multipart: any MultipartStore
    public let batchJobs: any BatchJobStore
    public let requestLog: any RequestLogStore
    public let virtualKeys: any VirtualKeyStore
    public let spend: any SpendStore
    public let rateLimits: any RateLimitStore
    /// The spend and rate-limit tables as the governance hot path writes them: one transaction for many calls.
    public let ledger: any GovernanceLedger
    public let providerFileOwners: any ProviderFileOwners
    public let cacheEntries: any CacheEntryStore
    public let blobs: DiskBlobStore
    /// Set when the store is shared: the instances on it, and the dashboard logins they all honour.
    public let instances: (any InstanceRegistry)?
    public var dashboardSessions: (any DashboardSessionStore)? { postgres.map(PostgresDashboardSessions.init) }
    let pool: DatabasePool
    let postgres: PostgresDatabase?

    public static func open(dataDir: String, logger: Logger) async throws -> GatewayStore {
        try await open(dataDir: dataDir, postgres: nil, logger: logger)
    }

    /// With `postgres`, the shared tables are there; its schema is brought up to date first (under an advisory lock).
    public static func open(dataDir: String, postgres: PostgresStoreSettings?, logger: Logger) async throws -> GatewayStore {
        let blobs = try await DiskBlobStore.open(dataDir: postgres?.sharedDir ?? dataDir)
        // Opening and migrating is blocking file work: on the thread pool, like every other disk access.
        let pool = try await blobs.threadPool.runIfActive { try StoreDatabase.open(dataDir: dataDir) }
        let store: GatewayStore
        if let postgres {
            let database = try PostgresDatabase(url: postgres.url, maxConnections: postgres.maxConnections, logger: logger)
            do {
                let applied = try await PostgresMigrations.migrate(database)
                if !applied.isEmpty { logger.info("postgres schema migrated", metadata: ["applied": "\(applied.joined(separator: ","))"]) }
            } catch {
                database.close()
                throw PostgresStoreError.migration(String(describing: error))
            }
            let ledger = PostgresGovernanceLedger(database: database)
            store = GatewayStore(
                dataDir: dataDir, files: PostgresFileIndex(database: database), multipart: PostgresMultipartStore(database: database),
                batchJobs: PostgresBatchJobStore(database: database), requestLog: PostgresRequestLogStore(database: database, instanceId: postgres.instance.id),
                virtualKeys: PostgresVirtualKeyStore(database: database), spend: ledger, rateLimits: ledger, ledger: ledger,
                providerFileOwners: PostgresProviderFileOwners(database: database), cacheEntries: PostgresCacheEntryStore(database: database),
                blobs: blobs,
                instances: PostgresInstanceRegistry(database: database, this: postgres.instance), pool: pool, postgres: database)
        } else {
            store = GatewayStore(
                dataDir: dataDir, files: SQLiteFileIndex(pool: pool), multipart: SQLiteMultipartStore(pool: pool),
                batchJobs: SQLiteBatchJobStore(pool: pool), requestLog: SQLiteRequestLogStore(pool: pool),
                virtualKeys: SQLiteVirtualKeyStore(pool: pool), spend: SQLiteSpendStore(pool: pool), rateLimits: SQLiteRateLimitStore(pool: pool),
                ledger: SQLiteGovernanceLedger(pool: pool),
                providerFileOwners: SQLiteProviderFileOwners(pool: pool), cacheEntries: SQLiteCacheEntryStore(pool: pool), blobs: blobs,
                instances: nil, pool: pool, postgres: nil)
        }
        // On a shared store another instance may be between writing a blob and indexing it: no sweep there.
        let swept = postgres == nil ? try await store.removeOrphanBlobs() : 0
        logger.info(
            "store opened", metadata: ["dataDir": "\(dataDir)", "shared": "\(postgres != nil)", "orphanBlobsRemoved": "\(swept)"])
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
        postgres?.close()
        try pool.close()
    }
}
