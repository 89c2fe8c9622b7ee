import SwitchyardModel

/// Weighted random choice among a provider's keys that may serve the model.
///
/// A key of weight 0 is switched off: it serves nothing, not even when pinned. A pinned key is held to its
/// allow-list like any other, so pinning only skips load balancing and never widens what a key may do.
public enum KeySelector {
    public static func pick(
        from keys: [KeyConfig], model: String, pinned: String?, avoiding: Set<String>,
        random: (Double) -> Double = { Double.random(in: 0..<$0) }
    ) throws -> KeyConfig? {
        if let pinned {
            guard let key = keys.first(where: { $0.name == pinned }) else {
                throw GatewayError(.validation, "no key named '\(pinned)' is configured for this provider")
            }
            guard key.weight > 0 else {
                throw GatewayError(.validation, "key '\(pinned)' is disabled (weight 0) and serves no requests")
            }
            // Calls that name no model (the batch control plane) may use any key.
            guard model.isEmpty || key.allows(model) else {
                throw GatewayError(.notFound, "key '\(pinned)' may not serve model '\(model)'")
            }
            return key
        }
        if keys.isEmpty { return nil }
        let allowed = keys.filter { $0.allows(model) && $0.weight > 0 }
        guard !allowed.isEmpty else {
            throw GatewayError(.notFound, "no configured key may serve model '\(model)'")
        }
        let fresh = allowed.filter { !avoiding.contains($0.name) }
        let pool = fresh.isEmpty ? allowed : fresh
        let total = pool.reduce(0) { $0 + $1.weight }
        var point = random(total)
        for key in pool {
            point -= key.weight
            if point < 0 { return key }
        }
        return pool[pool.count - 1]
    }
}
