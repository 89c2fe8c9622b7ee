import Engine
import Foundation
import Stores

/// Creates, changes and rotates virtual keys: the one writer behind the admin API, the CLI and the keys declared
/// in the configuration file. A secret exists in the clear only in what `create` and `rotate` return.
public struct KeyIssuer: Sendable {
    public let ring: KeyRing

    public init(ring: KeyRing) {
        self.ring = ring
    }

    public struct Issued: Sendable {
        public let record: VirtualKeyRecord
        public let credentials: KeyCredentials
    }

    /// `credentials` only for keys declared in the configuration (their secret comes from the environment);
    /// otherwise fresh ones are generated.
    public func create(
        name: String, policy: VirtualKeyPolicy = VirtualKeyPolicy(), expiresAt: Date? = nil, metadata: [String: String] = [:],
        credentials: KeyCredentials? = nil, source: VirtualKeyRecord.Source = .api, now: Date = Date()
    ) async throws -> Issued {
        try Self.validate(name: name, policy: policy)
        let credentials = credentials ?? KeyCredentials.generate()
        try Self.validate(accessKeyId: credentials.accessKeyId)
        let id = UUID().uuidString.lowercased()
        let record = VirtualKeyRecord(
            id: id, name: name, accessKeyId: credentials.accessKeyId, sealedSecret: try ring.box.seal(credentials.secret, keyId: id),
            expiresAt: expiresAt, policy: policy, metadata: metadata, source: source, createdAt: now)
        try await ring.store.insert(record)
        ring.invalidate(record)
        return Issued(record: record, credentials: credentials)
    }

    /// Writes changed rules, name, expiry, active flag or metadata; id, credentials and creation time stay.
    public func update(_ record: VirtualKeyRecord, now: Date = Date()) async throws -> VirtualKeyRecord {
        try Self.validate(name: record.name, policy: record.policy)
        guard let stored = try await ring.store.key(id: record.id) else { throw VirtualKeyStoreError.notFound(id: record.id) }
        var changed = record
        changed.accessKeyId = stored.accessKeyId
        changed.sealedSecret = stored.sealedSecret
        changed.createdAt = stored.createdAt
        changed.updatedAt = now
        try await ring.store.replace(changed)
        ring.invalidate(stored)
        return changed
    }

    /// A new access key id and secret; the old pair stops working at once on this gateway (on others when their
    /// key cache expires).
    public func rotate(id: String, credentials: KeyCredentials? = nil, now: Date = Date()) async throws -> Issued {
        guard var record = try await ring.store.key(id: id) else { throw VirtualKeyStoreError.notFound(id: id) }
        let old = record
        let credentials = credentials ?? KeyCredentials.generate()
        try Self.validate(accessKeyId: credentials.accessKeyId)
        record.accessKeyId = credentials.accessKeyId
        record.sealedSecret = try ring.box.seal(credentials.secret, keyId: id)
        record.updatedAt = now
        try await ring.store.replace(record)
        ring.invalidate(old)
        return Issued(record: record, credentials: credentials)
    }

    /// Revoking keeps the row (its files, jobs and log rows still name it) and makes the key unusable.
    public func revoke(id: String, now: Date = Date()) async throws -> VirtualKeyRecord {
        guard var record = try await ring.store.key(id: id) else { throw VirtualKeyStoreError.notFound(id: id) }
        record.active = false
        record.updatedAt = now
        try await ring.store.replace(record)
        ring.invalidate(record)
        return record
    }

    public static func validate(name: String, policy: VirtualKeyPolicy) throws {
        guard !name.isEmpty, name.utf8.count <= 128 else { throw KeyIssueError("a key name must have 1 to 128 characters") }
        for pattern in policy.allowedModels {
            do { try ModelAccess.validate(pattern) } catch { throw KeyIssueError("\(error)") }
        }
        for budget in policy.budgets where budget.limitNanos < 0 {
            throw KeyIssueError("budget '\(budget.id)' has a negative limit")
        }
    }

    /// Configuration may name its own access key ids; they must still be one field of a SigV4 credential scope.
    public static func validate(accessKeyId: String) throws {
        guard (16...128).contains(accessKeyId.utf8.count),
            accessKeyId.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) })
        else {
            throw KeyIssueError("an access key id must have 16 to 128 letters and digits")
        }
    }
}

public struct KeyIssueError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
