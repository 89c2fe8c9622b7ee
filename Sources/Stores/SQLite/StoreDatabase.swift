import Foundation
import GRDB

/// Opens `<dataDir>/switchyard.sqlite` in WAL mode and brings its schema up to date.
public enum StoreDatabase {
    public static let fileName = "switchyard.sqlite"

    public static func open(dataDir: String) throws -> DatabasePool {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        var configuration = Configuration()
        // Several gateway tasks write at once (uploads, batch records); wait for the lock instead of failing.
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: (dataDir as NSString).appendingPathComponent(fileName), configuration: configuration)
        try StoreMigrations.migrator.migrate(pool)
        return pool
    }

    /// Names of the migrations applied so far, oldest first.
    public static func appliedMigrations(_ pool: DatabasePool) throws -> [String] {
        try pool.read { db in try StoreMigrations.migrator.appliedIdentifiers(db) }.sorted()
    }
}
