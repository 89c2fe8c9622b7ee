import Dashboard
import Foundation
import Governance
import HTTPTypes
import Hummingbird

/// Lets a request into `/api` only with `Authorization: Bearer <admin token>`. The answer to a missing or wrong
/// token is the same 401 either way and never repeats what was sent. A dashboard session cookie stands in for the
/// token; with it, a request that changes anything must also carry the session's CSRF token (`X-CSRF-Token`), which
/// a page of another site cannot read, so a forged form or fetch is refused with 403.
struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: AdminToken
    var sessions: DashboardSessions? = nil

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        if request.headers[.authorization] == nil, let sessions, let (_, session) = await sessions.session(cookieHeader: request.headers[.cookie]) {
            if ![.get, .head].contains(request.method) {
                let sent = request.headers[HTTPField.Name(DashboardSessions.csrfHeader)!] ?? ""
                guard DashboardSessions.sameToken(sent, session.csrf) else {
                    return AdminResponse.error(.forbidden, code: "CSRFTokenMissing", "a write from the dashboard needs the X-CSRF-Token header of its session")
                }
            }
            return try await next(request, context)
        }
        guard let presented = Self.bearer(request.headers[.authorization]) else {
            return Self.refusal("the admin API needs the header 'Authorization: Bearer <admin token>'")
        }
        guard token.matches(presented) else { return Self.refusal("the admin token is not valid") }
        return try await next(request, context)
    }

    /// The credentials of a `Bearer` authorization (the scheme is case-insensitive, RFC 9110 §11.1).
    static func bearer(_ header: String?) -> String? {
        guard let header, header.utf8.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let credentials = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return credentials.isEmpty ? nil : credentials
    }

    static func refusal(_ message: String) -> Response {
        var response = AdminResponse.error(.unauthorized, code: "Unauthorized", message)
        response.headers[.wwwAuthenticate] = "Bearer realm=\"switchyard-admin\""
        return response
    }
}
