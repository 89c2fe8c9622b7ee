import AWSWire
import AnthropicDialect
import AnthropicDoor
import Engine
import GatewayMetrics
import Governance
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAIDialect
import OpenAIDoor
import SwitchyardModel

/// Authenticates the token doors, `/v1` (OpenAI: `Authorization: Bearer`) and `/anthropic` (Anthropic: `x-api-key`
/// or `Authorization: Bearer`), and runs the request as its caller, as `AuthenticationMiddleware` does for the
/// Bedrock doors. SDKs always send some key, so a token that is no virtual key (`sk-…` of the caller's own, a dummy)
/// is anonymous traffic while `governance.enforce` is off. The credential is taken off the request either way: no
/// door can forward or log it.
struct TokenAuthenticationMiddleware<Context: RequestContext>: RouterMiddleware {
    let authenticator: Authenticator
    var metrics: AuthenticationMetrics?

    enum Door { case openai, anthropic }

    static var apiKeyField: HTTPField.Name { HTTPField.Name("x-api-key")! }

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let path = Substring(request.head.path ?? "/").prefix { $0 != "?" }
        let door: Door
        if AuthenticationMiddleware<Context>.isUnder(path, "/v1") {
            door = .openai
        } else if AuthenticationMiddleware<Context>.isUnder(path, "/anthropic") {
            door = .anthropic
        } else {
            return try await next(request, context)
        }
        let caller: CallerIdentity?
        do {
            caller = try await authenticator.authenticate(tokens: TokenSource(fields: request.headers, door: door))
        } catch {
            metrics?.refused(door: door == .openai ? "openai" : "anthropic", reason: AuthenticationMiddleware<Context>.reasonLabel(error.reason))
            context.logger.notice(
                "authentication refused",
                metadata: [
                    "door": "\(door)", "reason": "\(AuthenticationMiddleware<Context>.reasonLabel(error.reason))",
                    "path": "\(path.prefix(AuthenticationMiddleware<Context>.loggedPathLength))",
                ])
            return Self.refusal(error, door: door, requestId: context.id)
        }
        var head = request.head
        head.headerFields[.authorization] = nil
        head.headerFields[Self.apiKeyField] = nil
        for field in AuthenticationMiddleware<Context>.keyFields { head.headerFields[field] = nil }
        let forwarded = Request(head: head, body: request.body)
        return try await CallerScope.$current.withValue(caller) { try await next(forwarded, context) }
    }

    /// OpenAI's and Anthropic's answers to a bad key, each in its own words: 401 for a key that is missing or
    /// unknown, 403 for one that may not be used now.
    static func refusal(_ refusal: AuthenticationRefusal, door: Door, requestId: String) -> Response {
        switch door {
        case .openai:
            let error: OpenAIError =
                switch refusal.reason {
                case .missing:
                    OpenAIError(status: 401, type: "invalid_request_error", code: nil,
                                message: "You didn't provide an API key. Pass a virtual key as a bearer token (Authorization: Bearer sk-swyd-…).")
                case .unknownKey, .sessionToken, .signature:
                    OpenAIError(status: 401, type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided.")
                case .inactive, .expired, .conflicting:
                    OpenAIError(status: 403, type: "permission_denied", code: "permission_denied", message: refusal.message)
                case .unavailable: OpenAIError(status: 503, type: "server_error", code: nil, message: refusal.message)
                }
            return error.response(requestId: requestId)
        case .anthropic:
            let (type, message): (AnthropicErrorType, String) =
                switch refusal.reason {
                case .missing: (.authentication, "x-api-key header is required: pass a virtual key (sk-swyd-…) in x-api-key or as Authorization: Bearer.")
                case .unknownKey, .sessionToken, .signature: (.authentication, "invalid x-api-key")
                case .inactive, .expired, .conflicting: (.permission, refusal.message)
                case .unavailable: (.overloaded, refusal.message)
                }
            return AnthropicErrorMapper.response(type, message: message, requestId: requestId)
        }
    }

    /// The request's key as the authenticator reads it: Anthropic's `x-api-key` counts as a bearer token; a SigV4
    /// `Authorization` is no credential of these doors and is not shown.
    struct TokenSource: SigV4HeaderSource {
        let fields: HTTPFields
        let door: Door

        func values(of lowercasedName: String) -> [String] {
            var found: [String] = []
            for field in fields {
                let name = field.name.canonicalName
                if name == lowercasedName, name != "authorization" || Authenticator.bearerToken(field.value) != nil {
                    found.append(field.value)
                } else if door == .anthropic, lowercasedName == "authorization", name == "x-api-key" {
                    found.append("Bearer \(field.value)")
                }
            }
            return found
        }
    }
}
