import SwitchyardModel

/// One model a caller can name.
public struct CatalogEntry: Sendable, Hashable {
    /// What the caller passes as `modelId`.
    public var id: String
    /// Where it runs.
    public var route: Route
    /// For aliases: what the alias points at.
    public var aliasTarget: String?

    public init(id: String, route: Route, aliasTarget: String? = nil) {
        self.id = id
        self.route = route
        self.aliasTarget = aliasTarget
    }

    public var isEmbedding: Bool { id.contains("embed") || route.model.contains("embed") }
}

/// The models the gateway can route to: what providers advertise, what key allow-lists name, aliases, and the
/// well-known Bedrock ids that resolve.
public struct ModelCatalog: Sendable {
    public let models: [CatalogEntry]
    public let aliases: [CatalogEntry]

    init(providers: [ProviderConfig], aliases: [String: String], router: ModelRouter) {
        var seen: Set<String> = []
        var models: [CatalogEntry] = []
        let byName = Dictionary(providers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        /// Routable is not enough: some key of the provider must also be allowed the model.
        func servable(_ route: Route) -> Bool {
            guard let provider = byName[route.provider] else { return false }
            return provider.keys.isEmpty || provider.keys.contains { $0.allows(route.model) }
        }
        func add(_ id: String) {
            guard !seen.contains(id), let route = try? router.route(id), servable(route) else { return }
            seen.insert(id)
            models.append(CatalogEntry(id: id, route: route))
        }
        for provider in providers.sorted(by: { $0.name < $1.name }) {
            for model in provider.models { add("\(provider.name)/\(model)") }
            for key in provider.keys { for model in key.models { add("\(provider.name)/\(model)") } }
        }
        for id in FirstPartyModelTable.wellKnownIds { add(id) }
        self.models = models
        self.aliases = aliases.keys.sorted().compactMap { alias in
            guard let route = try? router.route(alias), servable(route) else { return nil }
            return CatalogEntry(id: alias, route: route, aliasTarget: aliases[alias])
        }
    }
}

extension ModelCatalog {
    /// What a caller's key may use, by any name it goes by (its id, the resolved model, `provider/model`): the
    /// listings show only these. Everything without a key.
    public static func allows(_ entry: CatalogEntry, for caller: CallerIdentity?) -> Bool {
        guard let caller else { return true }
        return caller.access.allows(provider: entry.route.provider, model: entry.route.model, requested: entry.id)
    }

    public func models(for caller: CallerIdentity?) -> [CatalogEntry] {
        models.filter { Self.allows($0, for: caller) }
    }

    public func aliases(for caller: CallerIdentity?) -> [CatalogEntry] {
        aliases.filter { Self.allows($0, for: caller) }
    }
}
