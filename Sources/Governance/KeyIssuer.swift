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
        try Self.validate(metadata: metadata)
        let credentials = credentials ?? KeyCredentials.generate()
        try Self.validate(accessKeyId: credentials.accessKeyId)
        try Self.validate(secret: credentials.secret)
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
        try Self.validate(metadata: record.metadata)
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
        try Self.validate(secret: credentials.secret)
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
        // A name is also how the admin API and the CLI find a key, in a URL path: no slashes, no spaces at the ends.
        guard !name.contains("/"), name.trimmingCharacters(in: .whitespacesAndNewlines) == name,
            name.unicodeScalars.allSatisfy({ !CharacterSet.controlCharacters.contains($0) })
        else {
            throw KeyIssueError("a key name may not contain '/', control characters, or begin or end with a space")
        }
        for provider in policy.allowedProviders where provider.isEmpty {
            throw KeyIssueError("allowed_providers: a provider name is empty")
        }
        for pattern in policy.allowedModels {
            do { try ModelAccess.validate(pattern) } catch { throw KeyIssueError("allowed_models: \(error)") }
        }
        var budgetIds: Set<String> = []
        for budget in policy.budgets {
            guard (1...64).contains(budget.id.utf8.count), budget.id.utf8.allSatisfy(Self.isIdentifierByte) else {
                throw KeyIssueError("budget id '\(budget.id)' must have 1 to 64 letters, digits, '_', '.' or '-'")
            }
            guard budgetIds.insert(budget.id).inserted else {
                throw KeyIssueError("budget id '\(budget.id)' is used twice (give each budget its own id)")
            }
            guard budget.limitNanos >= 0 else { throw KeyIssueError("budget '\(budget.id)' has a negative limit") }
            do { _ = try BudgetPeriod(parsing: budget.period) } catch { throw KeyIssueError("budget '\(budget.id)': \(error)") }
        }
        if let limit = policy.rateLimit {
            guard (1...Self.maxWindowSeconds).contains(limit.windowSeconds) else {
                throw KeyIssueError("rate_limit.window_seconds must be from 1 to \(Self.maxWindowSeconds)")
            }
            for (field, value) in [("requests", limit.requests), ("tokens", limit.tokens), ("max_concurrent", limit.maxConcurrent)] {
                if let value, value < 1 { throw KeyIssueError("rate_limit.\(field) must be at least 1") }
            }
            guard limit.requests != nil || limit.tokens != nil || limit.maxConcurrent != nil else {
                throw KeyIssueError("rate_limit needs at least one of requests, tokens or max_concurrent")
            }
        }
    }

    /// Metadata is the operator's (team, owner, ticket): bounded so a key row stays small.
    public static func validate(metadata: [String: String]) throws {
        guard metadata.count <= 64 else { throw KeyIssueError("metadata may hold at most 64 entries") }
        for (name, value) in metadata {
            guard (1...128).contains(name.utf8.count), value.utf8.count <= 1024 else {
                throw KeyIssueError("metadata '\(name.prefix(40))': names have 1 to 128 bytes, values at most 1024")
            }
        }
    }

    /// Secrets the configuration supplies: printable ASCII (what an AWS SDK reads from a profile or the
    /// environment), and long enough not to be guessed.
    public static func validate(secret: String) throws {
        guard (16...128).contains(secret.utf8.count), secret.utf8.allSatisfy({ (33...126).contains($0) }) else {
            throw KeyIssueError("a secret must have 16 to 128 printable ASCII characters and no spaces")
        }
    }

    /// A year: longer windows are what budgets are for.
    public static let maxWindowSeconds = 366 * 86_400

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 95 || byte == 46 || byte == 45
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
