import Dashboard
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import SwitchyardServer

@Suite struct DashboardTests {
    static let csrfField = HTTPField.Name("X-CSRF-Token")!

    /// Logs in through the form and returns the session cookie (`name=value`).
    static func login(_ client: some TestClientProtocol) async throws -> String {
        let response = try await client.execute(
            uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "token=\(AdminHarness.token)"))
        #expect(response.status == .seeOther)
        let cookie = try #require(response.headers[.setCookie])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        return String(try #require(cookie.split(separator: ";").first))
    }

    static func csrf(of page: String) throws -> String {
        let marker = #"<meta name="csrf-token" content=""#
        let start = try #require(page.range(of: marker)).upperBound
        return String(page[start...].prefix { $0 != "\"" })
    }

    @Test func withoutASessionThereIsOnlyTheLoginForm() async throws {
        try await AdminHarness.with { client, _ in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok && String(buffer: page.body).contains(#"name="token""#))
            #expect(!String(buffer: page.body).contains("csrf-token"))
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'self'") == true)
            #expect(try await client.execute(uri: "/ui/app.js", method: .get).status == .unauthorized)
            let wrong = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(AdminHarness.token)x"))
            #expect(wrong.status == .unauthorized && wrong.headers[.setCookie] == nil)
            #expect(!String(buffer: wrong.body).contains(AdminHarness.token))
            // A made-up cookie is no session.
            let forged = try await client.execute(uri: "/api/keys", method: .get, headers: [.cookie: "swyd_session=\(String(repeating: "a", count: 64))"])
            #expect(forged.status == .unauthorized)
        }
    }

    @Test func aSessionReadsFreelyButWritesOnlyWithItsCSRFToken() async throws {
        try await AdminHarness.with { client, _ in
            let cookie = try await Self.login(client)
            let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie])
            let csrf = try Self.csrf(of: String(buffer: page.body))
            #expect(csrf.count == 64)
            #expect(try await client.execute(uri: "/ui/app.js", method: .get, headers: [.cookie: cookie]).status == .ok)
            #expect(try await client.execute(uri: "/api/keys", method: .get, headers: [.cookie: cookie]).status == .ok)

            let body = ByteBuffer(string: #"{"name": "from-the-dashboard"}"#)
            let missing = try await client.execute(uri: "/api/keys", method: .post, headers: [.cookie: cookie], body: body)
            #expect(missing.status == .forbidden)
            #expect((try AdminHarness.json(missing.body)["error"] as? [String: String])?["code"] == "CSRFTokenMissing")
            let wrong = try await client.execute(
                uri: "/api/keys", method: .post, headers: [.cookie: cookie, Self.csrfField: String(csrf.reversed())], body: body)
            #expect(wrong.status == .forbidden)
            // The cache purge and the batch stop are writes too: DELETE and POST are refused alike.
            let purge = try await client.execute(uri: "/api/keys/x/revoke", method: .post, headers: [.cookie: cookie])
            #expect(purge.status == .forbidden)
            let listed = try AdminHarness.json(try await client.execute(uri: "/api/keys", method: .get, headers: [.cookie: cookie]).body)
            #expect((listed["keys"] as? [Any])?.isEmpty == true, "a refused write changed nothing")

            let created = try await client.execute(uri: "/api/keys", method: .post, headers: [.cookie: cookie, Self.csrfField: csrf], body: body)
            #expect(created.status == .created)

            // Logging out is a write as well; afterwards the cookie opens nothing.
            #expect(try await client.execute(uri: "/logout", method: .post, headers: [.cookie: cookie]).status == .forbidden)
            #expect(try await client.execute(uri: "/logout", method: .post, headers: [.cookie: cookie, Self.csrfField: csrf]).status == .noContent)
            #expect(try await client.execute(uri: "/api/keys", method: .get, headers: [.cookie: cookie]).status == .unauthorized)
            let after = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie])
            #expect(String(buffer: after.body).contains(#"name="token""#))
        }
    }

    @Test func noPageOrAnswerShowsAProviderKeyOrAKeySecretAfterCreation() async throws {
        try await AdminHarness.with { client, _ in
            let created = try AdminHarness.json(try await client.admin("/api/keys", .post, raw: #"{"name": "leak-check"}"#).body)
            let id = try #require(created["id"] as? String), secret = try #require(created["secret_access_key"] as? String)
            let cookie = try await Self.login(client)
            let secrets = [secret, "sk-1", "sk-2", AdminHarness.token]
            for uri in ["/", "/ui/app.js", "/api/keys", "/api/keys/\(id)", "/api/keys/\(id)/usage", "/api/providers", "/api/logs", "/api/logs/totals"] {
                // The page and its script are the session's alone; the API answers either.
                for headers in (uri.hasPrefix("/api") ? [AdminHarness.auth, [.cookie: cookie]] : [[.cookie: cookie]]) as [HTTPFields] {
                    let response = try await client.execute(uri: uri, method: .get, headers: headers)
                    #expect(response.status == .ok, "\(uri)")
                    let text = String(buffer: response.body)
                    for value in secrets { #expect(!text.contains(value), "\(uri) shows a secret") }
                }
            }
        }
    }

    @Test func theProviderOverviewNamesKeysAndModelsButNoValues() async throws {
        try await AdminHarness.with { client, _ in
            let overview = try AdminHarness.json(try await client.admin("/api/providers").body)
            let providers = try #require(overview["providers"] as? [[String: Any]])
            #expect(providers.map { $0["name"] as? String } == ["anthropic", "openai"])
            let openai = try #require(providers.last)
            #expect((openai["keys"] as? [[String: Any]])?.map { $0["name"] as? String } == ["k1"])
            #expect((openai["health"] as? [String: Any])?["status"] as? String == "idle")
            // The harness runs no engine, so no catalog: the models and their prices are proven end to end
            // (tests/e2e/test_dashboard.py).
            #expect(overview["models"] as? [Any] != nil && overview["price_version"] as? String != nil)
        }
    }
}
