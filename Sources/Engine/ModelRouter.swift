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
    let providers: [String: ProviderKind]
    let aliases: [String: String]

    public init(providers: [String: ProviderKind], aliases: [String: String]) {
        self.providers = providers
        self.aliases = aliases
    }

    /// The provider that answers Bedrock-shaped ids: one named `bedrock`, else the first of that kind.
    var bedrockProvider: String? {
        if providers["bedrock"] == .bedrock { return "bedrock" }
        return providers.filter { $0.value == .bedrock }.keys.sorted().first
    }

    public func route(_ modelId: String) throws -> Route {
        if let route = prefixed(modelId) { return route }
        if let target = aliases[modelId] {
            if let route = prefixed(target) ?? bedrock(target) { return route }
            throw GatewayError(.notFound, "model alias '\(modelId)' points at '\(target)', which no configured provider serves")
        }
        if let route = bedrock(modelId) { return route }
        let known = providers.keys.sorted().joined(separator: ", ")
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
        guard providers[provider] != nil, !model.isEmpty else { return nil }
        return Route(provider: provider, model: model)
    }

    /// A Bedrock id goes to the Bedrock provider as it is, or else to the first-party home of that model.
    private func bedrock(_ id: String) -> Route? {
        guard BedrockModelID.isBedrockShaped(id) else { return nil }
        if let provider = bedrockProvider { return Route(provider: provider, model: id) }
        for candidate in FirstPartyModelTable.candidates(for: id) {
            if let route = prefixed(candidate) { return route }
        }
        return nil
    }
}
