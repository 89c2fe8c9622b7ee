import AnthropicDialect
import AnthropicDoor
import Engine
import HTTPTypes
import Hummingbird
import OpenAIDialect
import SwitchyardModel

/// Reads the caller's own upstream credentials (direct keys) on the `/bedrock` routes (runtime, control plane and
/// files alike) and on the token doors, and serves the request with them in `DirectKeyScope`, where the engine
/// finds them.
///
/// - `x-bf-bedrock-access-key` + `x-bf-bedrock-secret-key` (+ `x-bf-bedrock-session-token`): SigV4 credentials
///   Bedrock calls (and S3 calls of the `bedrock` files namespace) are signed with; `x-bf-bedrock-region` the
///   region they are signed for and sent to.
/// - `x-bf-bedrock-api-key`, or `Authorization: Bearer <token>` that is not a virtual key (boto3 sends that for
///   `AWS_BEARER_TOKEN_BEDROCK`): a Bedrock API key.
/// - `x-bf-openai-key`, `x-bf-anthropic-key`, `x-bf-gemini-key`: for those vendors' own APIs.
/// - `x-bf-provider-key`: for whichever provider the requested model resolves to (an OpenAI-compatible server…).
/// - At `/v1`, `Authorization: Bearer <token>` that is not a virtual key: the caller's OpenAI key, the one the SDK
///   was given. At `/anthropic`, `x-api-key` (or a bearer token) that is not a virtual key: its Anthropic key. Each
///   goes to its own vendor's API only, never to another provider the model might resolve to.
///
/// With `governance.allow_direct_keys` off, a request carrying any of these headers is refused
/// (`AccessDeniedException`, S3 `AccessDenied`); a bearer token is then left alone, as before.
///
/// The `x-bf-*` headers stay on the request: boto3 signs the headers a `before-sign` handler adds, so a signature
/// check further in needs them. No door forwards them (the Bedrock and S3 passthroughs copy only headers they
/// name). A direct bearer token is taken off the request, so that nothing further in mistakes it for a virtual key.
struct DirectKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: Bool
    let filesMount: String

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let path = Substring(request.uri.path)
        let door: DirectKeyHeaders.Door
        if AuthenticationMiddleware<Context>.isUnder(path, AuthenticationMiddleware<Context>.bedrockMount) {
            door = .bedrock
        } else if AuthenticationMiddleware<Context>.isUnder(path, "/v1") {
            door = .openai
        } else if AuthenticationMiddleware<Context>.isUnder(path, "/anthropic") {
            door = .anthropic
        } else {
            return try await next(request, context)
        }
        let found: DirectKeyHeaders
        do throws(DirectKeyHeaders.Problem) {
            found = try DirectKeyHeaders.parse(request.headers, allowed: allowed, door: door)
        } catch {
            return refusal(door, .badRequest, "ValidationException", "InvalidArgument", error.message, request, context)
        }
        guard !found.names.isEmpty else { return try await next(request, context) }
        guard allowed else {
            let names = found.names.joined(separator: ", ")
            return refusal(
                door, .forbidden, "AccessDeniedException", "AccessDenied",
                "Direct keys are disabled on this gateway (governance.allow_direct_keys); the request carries \(names).", request, context)
        }
        var forwarded = request
        if found.bearerIsDirect || found.apiKeyIsDirect {
            var head = request.head
            if found.bearerIsDirect { head.headerFields[.authorization] = nil }
            if found.apiKeyIsDirect { head.headerFields[DirectKeyHeaders.apiKeyField] = nil }
            forwarded = Request(head: head, body: request.body)
        }
        return try await DirectKeyScope.$current.withValue(found.keys) { try await next(forwarded, context) }
    }

    /// The refusal in the door's dialect: AWS JSON or S3 XML, OpenAI's or Anthropic's error object.
    private func refusal(
        _ door: DirectKeyHeaders.Door, _ status: HTTPResponse.Status, _ jsonCode: String, _ s3Code: String, _ message: String,
        _ request: Request, _ context: Context
    ) -> Response {
        let denied = status == .forbidden
        switch door {
        case .bedrock:
            return MiddlewareRefusal(status: status, jsonCode: jsonCode, s3Code: s3Code, message: message)
                .response(path: request.uri.path, filesMount: filesMount, head: request.method == .head)
        case .openai:
            return OpenAIError(
                status: Int(status.code), type: denied ? "permission_denied" : "invalid_request_error",
                code: denied ? "permission_denied" : "invalid_value", message: message, retryable: false
            ).response(requestId: context.id)
        case .anthropic:
            return AnthropicErrorMapper.response(denied ? .permission : .invalidRequest, message: message, requestId: context.id)
        }
    }
}

/// The direct-key headers of one request, read in one pass over its fields.
struct DirectKeyHeaders {
    /// Virtual keys presented as a bearer token look like this; any other bearer token is a Bedrock API key.
    static let virtualKeyBearerPrefix = "sk-swyd-"
    static let bedrockPrefix = "x-bf-bedrock-"
    static let vendorKeys = ["x-bf-openai-key", "x-bf-anthropic-key", "x-bf-gemini-key", "x-bf-provider-key"]
    static let bedrockHeaders = [
        "x-bf-bedrock-access-key", "x-bf-bedrock-secret-key", "x-bf-bedrock-session-token", "x-bf-bedrock-region",
        "x-bf-bedrock-api-key",
    ]

    struct Problem: Error {
        var message: String
    }

    /// Which door's requests: it decides whose key a bearer token (or Anthropic's `x-api-key`) is.
    enum Door { case bedrock, openai, anthropic }

    static let apiKeyField = HTTPField.Name("x-api-key")!

    var keys = DirectKeys()
    /// The direct-key headers present (`Authorization` for a direct bearer token), for messages: never a value.
    var names: [String] = []
    var bearerIsDirect = false
    var apiKeyIsDirect = false

    /// With `allowed` off only which headers are present counts (the request is refused whatever they hold), and a
    /// bearer token is not this middleware's business; on, the values are checked and become the keys.
    static func parse(_ fields: HTTPFields, allowed: Bool, door: Door = .bedrock) throws(Problem) -> DirectKeyHeaders {
        var found = DirectKeyHeaders()
        var values: [String: String] = [:]
        var problem: Problem?
        for field in fields {
            let name = field.name.canonicalName
            guard name.hasPrefix("x-bf-"), name.hasPrefix(bedrockPrefix) || vendorKeys.contains(name) else { continue }
            found.names.append(name)
            if !bedrockHeaders.contains(name) && !vendorKeys.contains(name) {
                problem = problem ?? Problem(
                    message: "\(name) is not a direct-key header (known: \((bedrockHeaders + vendorKeys).joined(separator: ", ")))")
            } else if values[name] != nil {
                problem = problem ?? Problem(message: "\(name) is given more than once")
            } else if field.value.trimmingSpaces.isEmpty {
                problem = problem ?? Problem(message: "\(name) is empty")
            } else {
                values[name] = field.value.trimmingSpaces
            }
        }
        guard allowed else { return found }
        if let problem { throw problem }
        var bearer: String?
        if let authorization = fields[.authorization], let token = bearerToken(authorization), !token.hasPrefix(virtualKeyBearerPrefix) {
            bearer = token
            found.bearerIsDirect = true
            found.names.append("Authorization: Bearer")
        }
        // The SDKs of the token doors always send the key they were given: that key is the caller's own.
        switch door {
        case .bedrock:
            break
        case .openai:
            if let token = bearer { try take(token, as: "x-bf-openai-key", into: &values) }
            bearer = nil
        case .anthropic:
            if let key = fields[apiKeyField]?.trimmingSpaces, !key.isEmpty, !key.hasPrefix(virtualKeyBearerPrefix) {
                try take(key, as: "x-bf-anthropic-key", into: &values)
                found.apiKeyIsDirect = true
                found.names.append("x-api-key")
            }
            if let token = bearer { try take(token, as: "x-bf-anthropic-key", into: &values) }
            bearer = nil
        }
        guard !found.names.isEmpty else { return found }
        found.keys = try keys(values, bearer: bearer)
        return found
    }

    private static func take(_ key: String, as name: String, into values: inout [String: String]) throws(Problem) {
        guard values[name] == nil else { throw Problem(message: "a request carries one key for its vendor: \(name) or the door's own key header, not both") }
        values[name] = key
    }

    private static func keys(_ values: [String: String], bearer: String?) throws(Problem) -> DirectKeys {
        var keys = DirectKeys(
            openAI: values["x-bf-openai-key"], anthropic: values["x-bf-anthropic-key"], gemini: values["x-bf-gemini-key"],
            requestedProvider: values["x-bf-provider-key"])
        let accessKey = values["x-bf-bedrock-access-key"]
        let secretKey = values["x-bf-bedrock-secret-key"]
        let sessionToken = values["x-bf-bedrock-session-token"]
        let apiKey = values["x-bf-bedrock-api-key"]
        switch (accessKey, secretKey) {
        case (let id?, let secret?):
            guard apiKey == nil, bearer == nil else {
                throw Problem(message: "a request carries one Bedrock credential: AWS access keys or a Bedrock API key, not both")
            }
            guard !id.contains("/") else { throw Problem(message: "x-bf-bedrock-access-key is not an AWS access key id") }
            keys.bedrock = .aws(AWSAccess(accessKeyId: id, secretAccessKey: secret, sessionToken: sessionToken))
        case (nil, nil):
            guard sessionToken == nil else {
                throw Problem(message: "x-bf-bedrock-session-token needs x-bf-bedrock-access-key and x-bf-bedrock-secret-key")
            }
            if apiKey != nil, bearer != nil {
                throw Problem(message: "a request carries one Bedrock API key: x-bf-bedrock-api-key or a bearer token, not both")
            }
            keys.bedrock = (apiKey ?? bearer).map(DirectKeys.Credential.apiKey)
        default:
            throw Problem(message: "x-bf-bedrock-access-key and x-bf-bedrock-secret-key go together")
        }
        if let region = values["x-bf-bedrock-region"] {
            guard keys.bedrock != nil else { throw Problem(message: "x-bf-bedrock-region goes with a Bedrock credential") }
            // It becomes part of the endpoint's host name: letters, digits and inner dashes only, as AWS's regions.
            guard region.count <= 32, region.first?.isLetter == true, region.last != "-",
                region.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" })
            else { throw Problem(message: "x-bf-bedrock-region is not an AWS region name") }
            keys.bedrockRegion = region
        }
        return keys
    }

    /// The token of `Bearer <token>` (the scheme is case-insensitive); nil for any other scheme.
    static func bearerToken(_ authorization: String) -> String? {
        guard authorization.prefix(7).lowercased() == "bearer " else { return nil }
        let token = authorization.dropFirst(7).trimmingSpaces
        return token.isEmpty ? nil : token
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
