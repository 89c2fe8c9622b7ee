import ArgumentParser
import Stores

/// The owning keys of jobs, for the batch commands: every virtual key by id, read once from the key store, so a job
/// (which records its owner's id) shows the key's name, and `--key` takes what an operator knows a key by.
struct BatchOwnerNames {
    let keys: [String: VirtualKeyRecord]

    static func load(_ store: any VirtualKeyStore) async throws -> BatchOwnerNames {
        BatchOwnerNames(keys: Dictionary(try await store.keys().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The owner id `--key` names: a key's name, id or access key id; or, for a key since deleted (no longer in the
    /// key store), the id its jobs still carry.
    func owner(_ nameOrId: String, jobs: some BatchJobStore) async throws -> String {
        if let key = keys.values.first(where: { $0.name == nameOrId }) ?? keys[nameOrId]
            ?? keys.values.first(where: { $0.accessKeyId == nameOrId })
        {
            return key.id
        }
        if try await !jobs.list(BatchJobQuery(limit: 1, owner: .owner(nameOrId))).isEmpty { return nameOrId }
        throw ValidationError("no virtual key '\(nameOrId)' (a key's name, id or access key id)")
    }

    /// The key's name; `-` for a job created without a key; the id with `(deleted)` for a key that is gone.
    func name(of owner: String?) -> String {
        guard let owner else { return "-" }
        return keys[owner]?.name ?? "\(owner) (deleted)"
    }
}
