import Foundation
import Governance
import HTTPTypes
import Hummingbird
import NIOCore

/// The web dashboard at `/`: a login form until the admin token is presented, then one page whose script reads and
/// changes everything through `/api`, with the session cookie and its CSRF token. The assets are compiled into the
/// binary (`PackageResources`), so the gateway needs no files and nothing from the network to show them.
public struct DashboardRoutes<Context: RequestContext>: Sendable {
    let token: AdminToken?
    let sessions: DashboardSessions
    let throttle: LoginThrottle

    public init(token: AdminToken?, sessions: DashboardSessions, throttle: LoginThrottle = LoginThrottle()) {
        self.token = token
        self.sessions = sessions
        self.throttle = throttle
    }

    public func register(on router: Router<Context>) {
        router.get("/") { request, _ in await page(request) }
        router.get("ui/app.css") { _, _ in Self.asset(PackageResources.app_css, type: "text/css; charset=utf-8") }
        // The script names every route the dashboard uses: only a logged-in browser gets it.
        router.get("ui/app.js") { request, _ in
            guard await sessions.session(cookieHeader: request.headers[.cookie]) != nil else {
                return Self.text(.unauthorized, "log in first")
            }
            return Self.asset(PackageResources.app_js, type: "text/javascript; charset=utf-8")
        }
        router.post("login") { request, _ in try await login(request) }
        router.post("logout") { request, _ in try await logout(request) }
    }

    func page(_ request: Request) async -> Response {
        guard token != nil else { return Self.html(.ok, Self.fill(PackageResources.setup_html, [:])) }
        guard let (_, session) = await sessions.session(cookieHeader: request.headers[.cookie]) else {
            return Self.html(.ok, Self.fill(PackageResources.login_html, ["error": ""]))
        }
        return Self.html(.ok, Self.fill(PackageResources.index_html, ["csrf": session.csrf]))
    }

    func login(_ request: Request) async throws -> Response {
        guard let token else { return Self.html(.notFound, Self.fill(PackageResources.setup_html, [:])) }
        let body = String(buffer: try await request.body.collect(upTo: 64 * 1024))
        let presented = Self.formValue("token", in: body) ?? ""
        if let wait = throttle.refusal() {
            var response = Self.html(
                .tooManyRequests, Self.fill(PackageResources.login_html, ["error": "Too many wrong tokens: try again in \(wait) seconds."]))
            response.headers[.retryAfter] = String(wait)
            return response
        }
        guard token.matches(presented) else {
            throttle.failed()
            return Self.html(.unauthorized, Self.fill(PackageResources.login_html, ["error": "That is not the admin token."]))
        }
        let (id, _) = try await sessions.open()
        var headers = HTTPFields()
        headers[.location] = "/"
        headers[.setCookie] = "\(DashboardSessions.cookieName)=\(id); HttpOnly; SameSite=Strict; Path=/"
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// A write like any other: refused without the session's CSRF token, so no other page can log an admin out.
    func logout(_ request: Request) async throws -> Response {
        guard let (id, session) = await sessions.session(cookieHeader: request.headers[.cookie]) else {
            return Self.text(.unauthorized, "no session")
        }
        guard let csrf = request.headers[HTTPField.Name(DashboardSessions.csrfHeader)!], DashboardSessions.sameToken(csrf, session.csrf) else {
            return Self.text(.forbidden, "the X-CSRF-Token header is missing or wrong")
        }
        try await sessions.close(id)
        var headers = HTTPFields()
        headers[.setCookie] = "\(DashboardSessions.cookieName)=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
        return Response(status: .noContent, headers: headers)
    }

    static func formValue(_ name: String, in body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            let spaced = parts[1].replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        return nil
    }

    /// `{{name}}` placeholders, HTML-escaped.
    static func fill(_ template: [UInt8], _ values: [String: String]) -> String {
        var text = String(decoding: template, as: UTF8.self)
        for (name, value) in values { text = text.replacingOccurrences(of: "{{\(name)}}", with: escape(value)) }
        return text
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Every dashboard answer forbids framing and foreign scripts: the page runs only its own code.
    static func securityHeaders(type: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        // Not no-referrer: with it the browser sends `Origin: null` on the login form, which the edge guard refuses.
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return headers
    }

    static func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: securityHeaders(type: "text/html; charset=utf-8"), body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ bytes: [UInt8], type: String) -> Response {
        Response(status: .ok, headers: securityHeaders(type: type), body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: securityHeaders(type: "text/plain; charset=utf-8"), body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
