import SwitchyardModel

/// The caller a virtual key is now, for work done on its behalf after its request ended: the batch runner runs a
/// job's records as the job's owner, with the key's rules and budgets as they are when each record runs.
public protocol CallerDirectory: Sendable {
    /// The key's identity; `GatewayError(.accessDenied)` saying why when the key was deleted, revoked or expired
    /// meanwhile, so the job stops with that message.
    func identity(keyId: String) async throws -> CallerIdentity
}
