import Engine
import Foundation
import Stores

/// Brings the keys declared in the configuration file into the store at start. A declared key is found by name:
/// missing ones are created, changed rules and credentials written over (the id, and so the key's spend, files and
/// log rows, stay), and a `config` key no longer in the file is revoked — never deleted, as its id still owns things.
public struct ConfigKeySync: Sendable {
    let issuer: KeyIssuer

    public init(issuer: KeyIssuer) {
        self.issuer = issuer
    }

    public struct Report: Sendable, Equatable {
        public var created: [String] = []
        public var updated: [String] = []
        public var rotated: [String] = []
        public var revoked: [String] = []
        public var unchanged: [String] = []

        public init(
            created: [String] = [], updated: [String] = [], rotated: [String] = [], revoked: [String] = [], unchanged: [String] = []
        ) {
            self.created = created
            self.updated = updated
            self.rotated = rotated
            self.revoked = revoked
            self.unchanged = unchanged
        }
    }

    public func sync(_ declared: [DeclaredKey], now: Date = Date()) async throws -> Report {
        var report = Report()
        let store = issuer.ring.store
        let names = Set(declared.map(\.name))
        for key in declared {
            let credentials = KeyCredentials(accessKeyId: key.accessKeyId, secret: key.secret)
            // A key renamed in the file keeps its access key id: found by it, it keeps its id too.
            let renamed = try await store.key(accessKeyId: key.accessKeyId).flatMap { $0.source == .config && !names.contains($0.name) ? $0 : nil }
            guard var stored = try await store.key(name: key.name) ?? renamed else {
                let issued = try await issuer.create(
                    name: key.name, policy: Self.policy(key), expiresAt: key.expiresAt, metadata: key.metadata, credentials: credentials,
                    source: .config, now: now)
                if !key.active { _ = try await issuer.revoke(id: issued.record.id, now: now) }
                report.created.append(key.name)
                continue
            }
            guard stored.source == .config else {
                throw KeyIssueError(
                    "governance.keys: the name '\(key.name)' belongs to a key created through the admin API; rename one of them")
            }
            let secret = try issuer.ring.box.open(stored.sealedSecret, keyId: stored.id)
            if stored.accessKeyId != key.accessKeyId || secret != key.secret {
                stored = try await issuer.rotate(id: stored.id, credentials: credentials, now: now).record
                report.rotated.append(key.name)
            }
            var wanted = stored
            wanted.name = key.name
            wanted.policy = Self.policy(key)
            wanted.expiresAt = key.expiresAt
            wanted.metadata = key.metadata
            wanted.active = key.active
            if wanted != stored {
                _ = try await issuer.update(wanted, now: now)
                report.updated.append(key.name)
            } else if report.rotated.last != key.name {
                report.unchanged.append(key.name)
            }
        }
        for stored in try await store.keys() where stored.source == .config && !names.contains(stored.name) && stored.active {
            _ = try await issuer.revoke(id: stored.id, now: now)
            report.revoked.append(stored.name)
        }
        return report
    }

    public static func policy(_ key: DeclaredKey) -> VirtualKeyPolicy {
        VirtualKeyPolicy(
            allowedProviders: key.allowedProviders, allowedModels: key.allowedModels, pinnedKeys: key.pinnedKeys,
            budgets: key.budgets.map { BudgetRule(id: $0.id, limitNanos: $0.limitNanos, period: $0.period, calendarAligned: $0.calendarAligned) },
            rateLimit: key.rateLimit.map {
                RateLimitRule(requests: $0.requests, tokens: $0.tokens, windowSeconds: $0.windowSeconds, maxConcurrent: $0.maxConcurrent)
            }, cache: key.cache)
    }
}
