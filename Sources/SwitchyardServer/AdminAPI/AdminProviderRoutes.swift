import Engine
import Foundation
import Hummingbird
import Logging
import Pricing
import Stores
import SwitchyardModel

/// `GET /api/providers`: the configured providers and their keys by name (never a value), each provider's health
/// from its calls of the last 15 minutes in the request log, and the models served with their prices and aliases.
struct AdminProviderRoutes<Context: RequestContext>: Sendable {
    let providers: [ProviderConfig]
    let catalog: ModelCatalog?
    let prices: PriceTable?
    let log: (any RequestLogStore)?
    let logger: Logger

    static var healthWindow: TimeInterval { 15 * 60 }

    func register(on router: RouterGroup<Context>) {
        router.get("providers") { _, _ in
            do {
                return AdminResponse.json(try AdminJSON.encode(try await overview(now: Date())))
            } catch {
                logger.error("provider overview failed", metadata: ["error": "\(error)"])
                return AdminResponse.error(.internalServerError, code: "InternalError", "the provider overview could not be made")
            }
        }
    }

    func overview(now: Date) async throws -> ProvidersJSON {
        var list: [ProviderJSON] = []
        for provider in providers.sorted(by: { $0.name < $1.name }) {
            var health: HealthJSON?
            if let log {
                var filter = RequestLogFilter(startedFrom: now.addingTimeInterval(-Self.healthWindow), providers: [provider.name])
                let all = try await log.totals(filter)
                filter.errorClasses = [.provider]
                let failed = try await log.totals(filter)
                health = HealthJSON(
                    windowMinutes: Int(Self.healthWindow / 60), calls: all.count, providerErrors: failed.count,
                    status: all.count == 0 ? "idle" : (failed.count * 2 >= all.count ? "failing" : (failed.count > 0 ? "degraded" : "healthy")),
                    latencyP50Ms: all.latencyP50Ms)
            }
            list.append(
                ProviderJSON(
                    name: provider.name, type: provider.kind.rawValue, baseUrl: provider.baseURL,
                    keys: provider.keys.map { KeyNameJSON(name: $0.name, weight: $0.weight, models: $0.models) },
                    maxRetries: provider.maxRetries, timeoutSeconds: provider.timeoutSeconds, health: health))
        }
        let models = (catalog?.models ?? []).map { entry in
            ModelJSON(
                id: entry.id, provider: entry.route.provider, model: entry.route.model, aliasTarget: nil,
                price: prices?.lookup(provider: entry.route.provider, model: entry.route.model).map { PriceJSON($0.price.standard) })
        }
        let aliases = (catalog?.aliases ?? []).map { entry in
            ModelJSON(
                id: entry.id, provider: entry.route.provider, model: entry.route.model, aliasTarget: entry.aliasTarget,
                price: prices?.lookup(provider: entry.route.provider, model: entry.route.model).map { PriceJSON($0.price.standard) })
        }
        return ProvidersJSON(providers: list, models: models, aliases: aliases, priceVersion: prices?.version)
    }
}

struct ProvidersJSON: Encodable, EncodesNulls {
    let providers: [ProviderJSON]
    let models: [ModelJSON]
    let aliases: [ModelJSON]
    let priceVersion: String?
}

struct ProviderJSON: Encodable, EncodesNulls {
    let name: String
    let type: String
    let baseUrl: String
    let keys: [KeyNameJSON]
    let maxRetries: Int
    let timeoutSeconds: Double
    let health: HealthJSON?
}

/// A provider key as the dashboard shows it: its name and rules, never its value.
struct KeyNameJSON: Encodable {
    let name: String
    let weight: Double
    let models: [String]
}

struct HealthJSON: Encodable, EncodesNulls {
    let windowMinutes: Int
    let calls: Int
    let providerErrors: Int
    /// `idle` (no calls), `healthy`, `degraded` (some provider errors), `failing` (half or more).
    let status: String
    let latencyP50Ms: Int?
}

struct ModelJSON: Encodable, EncodesNulls {
    let id: String
    let provider: String
    let model: String
    let aliasTarget: String?
    let price: PriceJSON?
}

/// USD per million tokens, as decimal text.
struct PriceJSON: Encodable, EncodesNulls {
    let input: String
    let output: String
    let cacheRead: String?
    let cacheWrite: String?

    init(_ tier: PriceTier) {
        input = tier.input.description
        output = tier.output.description
        cacheRead = tier.cacheRead?.description
        cacheWrite = tier.cacheWrite?.description
    }
}
