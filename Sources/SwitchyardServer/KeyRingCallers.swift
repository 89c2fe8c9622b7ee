import Engine
import Foundation
import Governance
import SwitchyardModel

/// `CallerDirectory` over the key ring: what the batch runner acts as. A key revoked, expired or gone can no
/// longer act, so its jobs stop.
public struct KeyRingCallers: CallerDirectory {
    let ring: KeyRing
    let now: @Sendable () -> Date

    public init(ring: KeyRing, now: @escaping @Sendable () -> Date = Date.init) {
        self.ring = ring
        self.now = now
    }

    public func identity(keyId: String) async throws -> CallerIdentity {
        guard let entry = try await ring.entry(keyId: keyId) else {
            throw GatewayError(.accessDenied, "The virtual key \(keyId) that owns this job no longer exists")
        }
        let key = entry.record
        guard key.active else { throw GatewayError(.accessDenied, "The virtual key '\(key.name)' that owns this job was revoked") }
        if let expiry = key.expiresAt, now() >= expiry {
            throw GatewayError(.accessDenied, "The virtual key '\(key.name)' that owns this job has expired")
        }
        return entry.identity
    }
}
