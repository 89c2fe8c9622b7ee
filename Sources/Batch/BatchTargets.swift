import Engine
import SwitchyardModel

/// Upstream targets for calls the engine does not make itself (native batch APIs, control-plane forwarding).
struct BatchTargets: Sendable {
    let providers: [ProviderConfig]

    func config(_ name: String) throws -> ProviderConfig {
        guard let config = providers.first(where: { $0.name == name }) else {
            throw GatewayError(.validation, "provider '\(name)' is not configured")
        }
        return config
    }

    /// A key that may serve `model`, chosen as the engine chooses (weighted among the allowed ones), or the key
    /// named `pinned`: a provider's batch is visible only to keys of the account that submitted it.
    func target(provider name: String, model: String, pinned: String? = nil) throws -> (target: UpstreamTarget, key: String?) {
        let config = try config(name)
        let key = try KeySelector.pick(from: config.keys, model: model, pinned: pinned, avoiding: [])
        var target = UpstreamTarget(
            provider: config.name, model: model, baseURL: config.baseURL, apiKey: key?.value, timeoutSeconds: config.timeoutSeconds,
            streamIdleTimeoutSeconds: config.streamIdleTimeoutSeconds)
        target.aws = key?.aws
        target.region = key?.region ?? config.region
        return (target, key?.name)
    }
}
