import HTTPTypes
import Hummingbird
import NIOCore

/// Refuses requests driven by web pages or reaching the gateway under a foreign Host (see `EdgePolicy`), before any
/// route reads the body, in the dialect of the route asked for: S3 XML under the files mount, Bedrock JSON
/// elsewhere. Never answers with permissive CORS: only a listed origin is named back, never `*`.
struct EdgeGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: EdgePolicy
    let filesMount: String

    static var originField: HTTPField.Name { HTTPField.Name("Origin")! }
    static var fetchSiteField: HTTPField.Name { HTTPField.Name("Sec-Fetch-Site")! }
    static var requestMethodField: HTTPField.Name { HTTPField.Name("Access-Control-Request-Method")! }
    static var requestHeadersField: HTTPField.Name { HTTPField.Name("Access-Control-Request-Headers")! }

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let verdict = policy.verdict(
            method: request.method.rawValue, path: request.uri.path, authority: request.head.authority,
            origin: request.headers[Self.originField], fetchSite: request.headers[Self.fetchSiteField],
            preflightMethod: request.headers[Self.requestMethodField])
        switch verdict {
        case .refuse(let refusal):
            return refusalResponse(refusal, request: request)
        case .preflight(let origin):
            var headers = corsHeaders(origin)
            headers[HTTPField.Name("Access-Control-Allow-Methods")!] = "GET, HEAD, PUT, POST, DELETE"
            if let asked = request.headers[Self.requestHeadersField] {
                headers[HTTPField.Name("Access-Control-Allow-Headers")!] = asked
            }
            headers[HTTPField.Name("Access-Control-Max-Age")!] = "600"
            return Response(status: .noContent, headers: headers)
        case .pass(let corsOrigin):
            var response = try await next(request, context)
            if let corsOrigin { response.headers.append(contentsOf: corsHeaders(corsOrigin)) }
            return response
        }
    }

    private func corsHeaders(_ origin: String) -> HTTPFields {
        [
            HTTPField.Name("Access-Control-Allow-Origin")!: origin,
            HTTPField.Name("Vary")!: "Origin",
            HTTPField.Name("Access-Control-Expose-Headers")!: "x-amzn-RequestId, x-amzn-ErrorType, x-amz-request-id, ETag",
        ]
    }

    private func refusalResponse(_ refusal: EdgePolicy.Refusal, request: Request) -> Response {
        let message =
            switch refusal {
            case .foreignHost: "The Host header names no address this gateway serves (see server.allowed_hosts)."
            case .foreignOrigin: "Requests from web pages are refused unless their origin is in server.allowed_origins."
            }
        let path = request.uri.path
        let code = path == "/bedrock" || path.hasPrefix("/bedrock/") ? "AccessDeniedException" : "AccessDenied"
        return MiddlewareRefusal(status: .forbidden, jsonCode: code, s3Code: "AccessDenied", message: message)
            .response(path: path, filesMount: filesMount, head: request.method == .head)
    }
}
