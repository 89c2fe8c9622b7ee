import Foundation
import GRDB

/// The `virtual_keys` table. The rules are one JSON column (`VirtualKeyPolicy`): they are read whole, never queried.
enum VirtualKeyTable {
    static let schema = """
        CREATE TABLE virtual_keys (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL UNIQUE,
            accessKeyId TEXT NOT NULL UNIQUE,
            sealedSecret BLOB NOT NULL,
            active INTEGER NOT NULL,
            expiresAt REAL,
            policy TEXT NOT NULL,
            metadata TEXT NOT NULL,
            source TEXT NOT NULL,
            createdAt REAL NOT NULL,
            updatedAt REAL NOT NULL,
            lastUsedAt REAL
        );
        """

    static let columns = "id, name, accessKeyId, sealedSecret, active, expiresAt, policy, metadata, source, createdAt, updatedAt, lastUsedAt"

    static func arguments(_ key: VirtualKeyRecord) throws -> StatementArguments {
        let policy = String(decoding: try JSONEncoder.sortedKeys.encode(key.policy), as: UTF8.self)
        return [
            key.id, key.name, key.accessKeyId, Data(key.sealedSecret), key.active, key.expiresAt?.timeIntervalSince1970, policy,
            JSONText.encode(key.metadata), key.source.rawValue, key.createdAt.timeIntervalSince1970,
            key.updatedAt.timeIntervalSince1970, key.lastUsedAt?.timeIntervalSince1970,
        ]
    }

    static func record(_ row: Row) throws -> VirtualKeyRecord {
        let policyText: String = row["policy"]
        let sealed: Data = row["sealedSecret"]
        return VirtualKeyRecord(
            id: row["id"], name: row["name"], accessKeyId: row["accessKeyId"], sealedSecret: [UInt8](sealed), active: row["active"],
            expiresAt: (row["expiresAt"] as Double?).map(Date.init(timeIntervalSince1970:)),
            policy: try JSONDecoder().decode(VirtualKeyPolicy.self, from: Data(policyText.utf8)),
            metadata: JSONText.decode(row["metadata"]), source: VirtualKeyRecord.Source(rawValue: row["source"]) ?? .api,
            createdAt: Date(timeIntervalSince1970: row["createdAt"]), updatedAt: Date(timeIntervalSince1970: row["updatedAt"]),
            lastUsedAt: (row["lastUsedAt"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }

    /// Names the column a uniqueness failure collided on, checked inside the writing transaction.
    static func collision(_ db: Database, _ key: VirtualKeyRecord) throws -> VirtualKeyStoreError? {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM virtual_keys WHERE name = ? AND id <> ?", arguments: [key.name, key.id]) != nil {
            return .duplicate(field: "name", value: key.name)
        }
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM virtual_keys WHERE accessKeyId = ? AND id <> ?", arguments: [key.accessKeyId, key.id])
            != nil
        {
            return .duplicate(field: "access key id", value: key.accessKeyId)
        }
        return nil
    }
}

extension JSONEncoder {
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
