import Engine
import Foundation
import Stores
import Synchronization

/// The virtual keys as the hot path sees them: looked up by access key id (SigV4, bearer, header) or by key id (the
/// batch runner's job owner, the governance plugin), with secrets opened, cached for a few seconds. The cache is
/// what keeps a request off the database; its time to live bounds how long another gateway on the same database
/// may go on accepting a key that was revoked or changed elsewhere (this gateway's own changes invalidate at once).
public final class KeyRing: Sendable {
    /// A class: every request looks its key up twice (authentication, then the governance plugin), and a record
    /// copied by value costs a retain and a release per string, array and dictionary it holds.
    public final class Entry: Sendable {
        public let record: VirtualKeyRecord
        public let secret: String
        public let identity: CallerIdentity

        init(record: VirtualKeyRecord, secret: String, identity: CallerIdentity) {
            self.record = record
            self.secret = secret
            self.identity = identity
        }
    }

    private struct Cached {
        var entry: Entry?
        var fetched: ContinuousClock.Instant
    }

    private struct State {
        var byAccessKeyId: [String: Cached] = [:]
        var byKeyId: [String: Cached] = [:]
        var uses: [String: Date] = [:]
    }

    public let store: any VirtualKeyStore
    public let box: SecretBox
    private let ttl: Duration
    private let state = Mutex(State())
    /// Unknown ids are cached too (a flood of made-up ids must not become a flood of queries), but never more than
    /// this many entries: past it the cache starts over.
    private let capacity = 10_000

    public init(store: any VirtualKeyStore, box: SecretBox, ttl: Duration = .seconds(5)) {
        self.store = store
        self.box = box
        self.ttl = ttl
    }

    public func entry(accessKeyId: String) async throws -> Entry? {
        if let hit = fresh(state.withLock { $0.byAccessKeyId[accessKeyId] }) { return hit.entry }
        let entry = try await open(try await store.key(accessKeyId: accessKeyId))
        remember(entry, accessKeyId: accessKeyId, keyId: entry?.record.id)
        return entry
    }

    public func entry(keyId: String) async throws -> Entry? {
        if let hit = fresh(state.withLock { $0.byKeyId[keyId] }) { return hit.entry }
        let entry = try await open(try await store.key(id: keyId))
        remember(entry, accessKeyId: entry?.record.accessKeyId, keyId: keyId)
        return entry
    }

    /// After this gateway changed a key: the next lookup reads the store.
    public func invalidate(_ record: VirtualKeyRecord) {
        state.withLock {
            $0.byAccessKeyId[record.accessKeyId] = nil
            $0.byKeyId[record.id] = nil
        }
    }

    public func invalidateAll() {
        state.withLock {
            $0.byAccessKeyId.removeAll()
            $0.byKeyId.removeAll()
        }
    }

    /// Noted in memory on every authenticated request; `flushUses` writes them in one transaction.
    public func noteUse(keyId: String, at date: Date = Date()) {
        state.withLock { $0.uses[keyId] = date }
    }

    public func flushUses() async throws {
        let uses = state.withLock { state in
            defer { state.uses.removeAll() }
            return state.uses
        }
        do {
            try await store.markUsed(uses)
        } catch {
            // Kept for the next flush, unless a later use of the same key was noted meanwhile.
            state.withLock { state in state.uses.merge(uses) { newer, _ in newer } }
            throw error
        }
    }

    private func fresh(_ cached: Cached?) -> Cached? {
        guard let cached, ContinuousClock.now - cached.fetched < ttl else { return nil }
        return cached
    }

    private func open(_ record: VirtualKeyRecord?) async throws -> Entry? {
        guard let record else { return nil }
        let secret = try box.open(record.sealedSecret, keyId: record.id)
        return Entry(record: record, secret: secret, identity: Self.identity(of: record))
    }

    private func remember(_ entry: Entry?, accessKeyId: String?, keyId: String?) {
        let cached = Cached(entry: entry, fetched: .now)
        state.withLock {
            if $0.byAccessKeyId.count + $0.byKeyId.count >= capacity {
                $0.byAccessKeyId.removeAll()
                $0.byKeyId.removeAll()
            }
            if let accessKeyId { $0.byAccessKeyId[accessKeyId] = cached }
            if let keyId { $0.byKeyId[keyId] = cached }
        }
    }

    public static func identity(of record: VirtualKeyRecord) -> CallerIdentity {
        CallerIdentity(
            keyId: record.id, name: record.name,
            access: ModelAccess(providers: record.policy.allowedProviders, models: record.policy.allowedModels),
            pinnedKeys: record.policy.pinnedKeys)
    }
}
