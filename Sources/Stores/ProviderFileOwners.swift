import Foundation

/// Who wrote each object the gateway created in a provider's own object store that the gateway does not index
/// (a Bedrock provider's Amazon S3 account, where the S3 door forwards every request): so reads, writes, copies,
/// deletes and uploads through the gateway can be checked against the caller (listings there are S3's own). An
/// object the gateway did not create there has no entry, and counts as created without a key.
public protocol ProviderFileOwners: Sendable {
    /// Records (or replaces) the owner of the object at (namespace, bucket, key); nil: created without a key.
    func record(namespace: String, bucket: String, key: String, owner: String?) async throws
    /// `.some(owner)` when the gateway created it (owner nil: without a key), nil when it has no entry.
    func owner(namespace: String, bucket: String, key: String) async throws -> String??
    func forget(namespace: String, bucket: String, key: String) async throws
}
