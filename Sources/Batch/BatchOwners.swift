import Engine
import Stores

/// Who a job acts as: its owning key as it is now (through the `CallerDirectory`), nil for a job created without a
/// key. Without a directory (tests), the owner acts by its id alone.
struct BatchOwners: Sendable {
    let callers: (any CallerDirectory)?

    /// Throws the directory's `accessDenied` when the owner can no longer act.
    func identity(_ job: BatchJob) async throws -> CallerIdentity? {
        guard let owner = job.owner else { return nil }
        guard let callers else { return CallerIdentity(keyId: owner, name: owner) }
        return try await callers.identity(keyId: owner)
    }
}
