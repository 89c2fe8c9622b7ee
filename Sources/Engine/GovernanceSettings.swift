/// `governance:` in the configuration: who may call, and with what.
public struct GovernanceSettings: Sendable, Hashable {
    /// Every call at `/bedrock` and `/bedrock/files` must present a valid virtual key. Off: calls without one run
    /// as before governance (anonymous), calls with one are governed.
    public var enforce: Bool
    /// Callers may bring their own provider credentials (direct keys) instead of the configured ones.
    public var allowDirectKeys: Bool

    public init(enforce: Bool = false, allowDirectKeys: Bool = false) {
        self.enforce = enforce
        self.allowDirectKeys = allowDirectKeys
    }
}
