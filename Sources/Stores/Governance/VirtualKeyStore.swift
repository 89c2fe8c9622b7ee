import Foundation

/// Where virtual keys live. SQLite here; a PostgreSQL implementation mirrors it for several gateways on one
/// database, so nothing here may rely on one process's memory.
public protocol VirtualKeyStore: Sendable {
    /// Fails with `VirtualKeyStoreError.duplicate` when the name or access key id is taken.
    func insert(_ key: VirtualKeyRecord) async throws
    /// Replaces the key with the same id; `VirtualKeyStoreError.notFound` when there is none.
    func replace(_ key: VirtualKeyRecord) async throws
    func key(id: String) async throws -> VirtualKeyRecord?
    func key(accessKeyId: String) async throws -> VirtualKeyRecord?
    func key(name: String) async throws -> VirtualKeyRecord?
    /// Ordered by creation time, oldest first.
    func keys() async throws -> [VirtualKeyRecord]
    /// True when a key was deleted.
    func delete(id: String) async throws -> Bool
    /// Records last use, coalesced by the caller (at most one write per key and minute is plenty).
    func markUsed(_ uses: [String: Date]) async throws
    /// A number that moves on with every change to any key made by any gateway on this store, for gateways that
    /// share it to learn that their cached keys are stale; nil when no other gateway can write the store.
    func generation() async throws -> Int64?
}

extension VirtualKeyStore {
    public func generation() async throws -> Int64? { nil }
}

public enum VirtualKeyStoreError: Error, Equatable, CustomStringConvertible {
    case duplicate(field: String, value: String)
    case notFound(id: String)

    public var description: String {
        switch self {
        case .duplicate(let field, let value): "a virtual key with \(field) '\(value)' already exists"
        case .notFound(let id): "no virtual key has id '\(id)'"
        }
    }
}
