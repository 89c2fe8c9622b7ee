import AWSWire
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardModel

/// The read-only Bedrock control-plane operations coding agents and frameworks call before they run a model:
/// ListFoundationModels, GetFoundationModel, ListInferenceProfiles, GetInferenceProfile — answered from what the
/// gateway can route to, and of that what the caller's virtual key may use (another model is `AccessDeniedException`).
public struct BedrockControlRoutes<Context: RequestContext>: Sendable {
    static var account: String { "000000000000" }
    let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    /// Paths under the Bedrock endpoint that name no operation get AWS's answer for that, not a bare 404.
    public static func registerUnknownOperations(on group: RouterGroup<Context>) {
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch, .head] {
            group.on("**", method: method) { request, _ in
                BedrockRoute.errorResponse(
                    AWSJSONError(
                        code: "UnknownOperationException",
                        message: "\(request.method) \(request.uri.path) is not an operation of this endpoint", status: 404))
            }
        }
    }

    public func register(on group: RouterGroup<Context>) {
        group.get("foundation-models") { request, _ in
            BedrockJSON.answer { try self.listFoundationModels(request) }
        }
        group.get("foundation-models/:modelId") { request, context in
            BedrockJSON.answer { try self.getFoundationModel(request, id: try BedrockRoute.modelId(context)) }
        }
        group.get("inference-profiles") { request, _ in
            BedrockJSON.answer { try self.listInferenceProfiles(request) }
        }
        group.get("inference-profiles/:profileId") { request, context in
            BedrockJSON.answer {
                guard let raw = context.parameters.get("profileId"), let id = raw.percentDecoded else {
                    throw GatewayError(.validation, "the inference profile identifier is not valid")
                }
                return try self.getInferenceProfile(request, id: id)
            }
        }
    }

    func listFoundationModels(_ request: Request) throws -> JSONValue {
        let region = BedrockJSON.region(of: request)
        let query = request.uri.queryParameters
        var summaries = engine.catalog.models(for: CallerScope.current).map { summary($0, region: region) }
        if let provider = query["byProvider"].map(String.init) {
            summaries = summaries.filter { $0["providerName"]?.stringValue?.lowercased() == provider.lowercased() }
        }
        if let modality = query["byOutputModality"].map(String.init) {
            summaries = summaries.filter { $0["outputModalities"]?.arrayValue?.contains(.string(modality)) ?? false }
        }
        if let type = query["byInferenceType"].map(String.init) {
            summaries = summaries.filter { $0["inferenceTypesSupported"]?.arrayValue?.contains(.string(type)) ?? false }
        }
        if query["byCustomizationType"] != nil { summaries = [] }
        return ["modelSummaries": .array(summaries)]
    }

    func getFoundationModel(_ request: Request, id: String) throws -> JSONValue {
        let base = id.hasPrefix("arn:") ? BedrockModelID.baseModel(id) : id
        guard let entry = engine.catalog.models.first(where: { $0.id == base }) ?? (try? catalogEntry(base)) else {
            throw GatewayError(.notFound, "the model '\(id)' is not served by this gateway")
        }
        try Self.checkAccess(entry, id)
        return ["modelDetails": summary(entry, region: BedrockJSON.region(of: request))]
    }

    /// A model the caller's key may not use exists for it only as a refusal.
    static func checkAccess(_ entry: CatalogEntry, _ id: String) throws {
        guard ModelCatalog.allows(entry, for: CallerScope.current) else {
            let name = CallerScope.current?.name ?? ""
            throw GatewayError(.accessDenied, "The virtual key '\(name)' may not use the model '\(id)'")
        }
    }

    /// A model the listing does not name but the router can still serve.
    func catalogEntry(_ id: String) throws -> CatalogEntry {
        CatalogEntry(id: id, route: try engine.resolve(id).route)
    }

    func listInferenceProfiles(_ request: Request) throws -> JSONValue {
        let region = BedrockJSON.region(of: request)
        let query = request.uri.queryParameters
        let caller = CallerScope.current
        var profiles = engine.catalog.aliases(for: caller).map { applicationProfile($0, region: region) }
        profiles += engine.catalog.models(for: caller).filter { BedrockModelID.isBedrockShaped($0.id) && !$0.isEmbedding }.map {
            systemProfile($0, region: region)
        }
        if let type = query["type"].map(String.init) {
            profiles = profiles.filter { $0["type"]?.stringValue == type }
        }
        let page = try BedrockJSON.page(profiles, query: query)
        var out: [String: JSONValue] = ["inferenceProfileSummaries": .array(page.items)]
        if let next = page.nextToken { out["nextToken"] = .string(next) }
        return .object(out)
    }

    func getInferenceProfile(_ request: Request, id: String) throws -> JSONValue {
        let region = BedrockJSON.region(of: request)
        // An ARN names the profile after its last slash; one without a slash names nothing the gateway has.
        let name = id.hasPrefix("arn:") ? id.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? id : id
        if let alias = engine.catalog.aliases.first(where: { $0.id == name }) {
            try Self.checkAccess(alias, id)
            return applicationProfile(alias, region: region)
        }
        if let entry = engine.catalog.models.first(where: { "us.\($0.id)" == name }) {
            try Self.checkAccess(entry, id)
            return systemProfile(entry, region: region)
        }
        throw GatewayError(.notFound, "the inference profile '\(id)' does not exist on this gateway")
    }

    func summary(_ entry: CatalogEntry, region: String) -> JSONValue {
        let modality = entry.isEmbedding ? "EMBEDDING" : "TEXT"
        return [
            "modelArn": "arn:aws:bedrock:\(region)::foundation-model/\(entry.id)",
            "modelId": .string(entry.id),
            "modelName": .string(entry.route.model),
            "providerName": .string(Self.brand(entry)),
            "inputModalities": entry.isEmbedding ? ["TEXT"] : ["TEXT", "IMAGE"],
            "outputModalities": [.string(modality)],
            "responseStreamingSupported": .bool(!entry.isEmbedding),
            "customizationsSupported": [],
            "inferenceTypesSupported": ["ON_DEMAND"],
            "modelLifecycle": ["status": "ACTIVE"],
        ]
    }

    func applicationProfile(_ alias: CatalogEntry, region: String) -> JSONValue {
        let target = alias.aliasTarget ?? alias.route.model
        return [
            "inferenceProfileName": .string(alias.id),
            "inferenceProfileId": .string(alias.id),
            "inferenceProfileArn": "arn:aws:bedrock:\(region):\(Self.account):application-inference-profile/\(alias.id)",
            "description": "Switchyard alias for \(target)",
            "models": [["modelArn": "arn:aws:bedrock:\(region)::foundation-model/\(target)"]],
            "status": "ACTIVE",
            "type": "APPLICATION",
        ]
    }

    func systemProfile(_ entry: CatalogEntry, region: String) -> JSONValue {
        let id = "us.\(entry.id)"
        return [
            "inferenceProfileName": "US \(entry.route.model)",
            "inferenceProfileId": .string(id),
            "inferenceProfileArn": "arn:aws:bedrock:\(region):\(Self.account):inference-profile/\(id)",
            "description": "Routes to \(entry.route.provider)/\(entry.route.model)",
            "models": [["modelArn": "arn:aws:bedrock:\(region)::foundation-model/\(entry.id)"]],
            "status": "ACTIVE",
            "type": "SYSTEM_DEFINED",
        ]
    }

    static func brand(_ entry: CatalogEntry) -> String {
        let vendor = BedrockModelID.isBedrockShaped(entry.id)
            ? String(BedrockModelID.baseModel(entry.id).prefix(while: { $0 != "." })) : entry.route.provider
        let brands = [
            "anthropic": "Anthropic", "openai": "OpenAI", "mistral": "Mistral AI", "meta": "Meta", "amazon": "Amazon",
            "cohere": "Cohere", "gemini": "Google", "ollama": "Ollama", "bedrock": "Amazon Bedrock",
        ]
        return brands[vendor] ?? vendor
    }
}
