/// `governance:` in the config file: who may spend the gateway's upstream keys, and with what.
public struct GovernanceSettings: Sendable {
    /// Refuse every call that presents no valid virtual key.
    public var enforce = false
    /// Let a request bring its own upstream credentials (`x-bf-openai-key`, `x-bf-bedrock-access-key`, a Bedrock
    /// API key as its bearer, …), used for its calls instead of the configured keys. Off, such a request is refused.
    public var allowDirectKeys = false

    public init(enforce: Bool = false, allowDirectKeys: Bool = false) {
        self.enforce = enforce
        self.allowDirectKeys = allowDirectKeys
    }
}
