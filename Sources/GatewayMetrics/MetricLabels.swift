import Engine

/// Label values from configuration only, so no caller can mint a new time series: a provider that is not
/// configured, or a model that is neither advertised (`models:`), named by a key's allow-list, an alias target nor
/// in the built-in Bedrock table, is `other`. `provider/anything` routes to a configured provider, so the resolved
/// model alone is no bound.
public struct MetricLabels: Sendable {
    public static let other = "other"

    let providers: Set<String>
    let models: Set<Route>

    public init(providers: [ProviderConfig], aliases: [String: String]) {
        let router = ModelRouter(providers: Dictionary(providers.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first }), aliases: aliases)
        var models: Set<Route> = []
        for provider in providers {
            for model in provider.models { models.insert(Route(provider: provider.name, model: model)) }
            for key in provider.keys { for model in key.models { models.insert(Route(provider: provider.name, model: model)) } }
        }
        for id in Array(aliases.keys) + FirstPartyModelTable.wellKnownIds {
            if let route = try? router.route(id) { models.insert(route) }
        }
        self.providers = Set(providers.map(\.name))
        self.models = models
    }

    public func provider(_ name: String?) -> String {
        guard let name, providers.contains(name) else { return Self.other }
        return name
    }

    /// A Bedrock profile or ARN of a known model is labelled as that model.
    public func model(provider: String?, model: String?) -> String {
        guard let provider, let model, providers.contains(provider) else { return Self.other }
        if models.contains(Route(provider: provider, model: model)) { return model }
        let base = BedrockModelID.baseModel(model)
        if base != model, models.contains(Route(provider: provider, model: base)) { return base }
        return Self.other
    }

    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    /// HTTP allows any token as a method; only the standard ones become labels.
    public static func method(_ method: String) -> String {
        methods.contains(method) ? method : Self.other
    }
}
