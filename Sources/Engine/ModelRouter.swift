import SwitchyardModel

/// A model id resolved to the provider that serves it.
public struct Route: Sendable, Hashable {
    public var provider: String
    public var model: String

    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }
}

/// Decides which configured provider serves a model id.
public struct ModelRouter: Sendable {
    let providers: Set<String>
    let aliases: [String: String]

    public init(providers: Set<String>, aliases: [String: String]) {
        self.providers = providers
        self.aliases = aliases
    }

    public func route(_ modelId: String) throws -> Route {
        if let route = prefixed(modelId) { return route }
        if let target = aliases[modelId] {
            if let route = prefixed(target) { return route }
            throw GatewayError(.notFound, "model alias '\(modelId)' points at '\(target)', which names no configured provider")
        }
        let known = providers.sorted().joined(separator: ", ")
        throw GatewayError(
            .notFound,
            "model '\(modelId)' is not served by this gateway: use 'provider/model' with a configured provider (\(known.isEmpty ? "none configured" : known)) or a configured alias"
        )
    }

    /// `provider/model`, split at the first slash, when the prefix is a configured provider.
    private func prefixed(_ id: String) -> Route? {
        guard let slash = id.firstIndex(of: "/") else { return nil }
        let provider = String(id[..<slash])
        let model = String(id[id.index(after: slash)...])
        guard providers.contains(provider), !model.isEmpty else { return nil }
        return Route(provider: provider, model: model)
    }
}
