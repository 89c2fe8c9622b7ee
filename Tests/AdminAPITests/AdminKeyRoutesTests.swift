import Engine
import Foundation
import Governance
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Stores
import SwitchyardModel
import Testing

@testable import SwitchyardServer

@Suite struct AdminAuthTests {
    @Test func everyAPIRouteWantsTheTokenAndNeverEchoesIt() async throws {
        try await AdminHarness.with { client, _ in
            for uri in ["/api/keys", "/api/keys/x", "/api/keys/x/usage", "/api/logs", "/api/logs/totals", "/api/logs/stream"] {
                let missing = try await client.execute(uri: uri, method: .get)
                #expect(missing.status == .unauthorized, "\(uri)")
                #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                let message = try #require((try AdminHarness.json(missing.body)["error"] as? [String: String])?["message"])
                #expect(message.contains("Authorization: Bearer"))

                let presented = AdminHarness.token + "x"
                let wrong = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(presented)"])
                #expect(wrong.status == .unauthorized, "\(uri)")
                #expect(!String(buffer: wrong.body).contains(presented))
                // Another scheme carrying the right token is still refused.
                let basic = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Basic \(AdminHarness.token)"])
                #expect(basic.status == .unauthorized)
            }
            let create = try await client.execute(uri: "/api/keys", method: .post, body: ByteBuffer(string: #"{"name": "k"}"#))
            #expect(create.status == .unauthorized)
            // The scheme is case-insensitive.
            let lower = try await client.execute(uri: "/api/keys", method: .get, headers: [.authorization: "bearer \(AdminHarness.token)"])
            #expect(lower.status == .ok)
        }
    }

    @Test func withoutATokenThereIsNoAdminAPI() async throws {
        var config = AdminHarness.config
        config.server.adminToken = nil
        try await AdminHarness.with(config: config) { client, _ in
            for uri in ["/api/keys", "/api/logs", "/api/logs/stream"] {
                let status = try await client.admin(uri).status
                #expect(status == .notFound, "\(uri)")
            }
        }
    }

    @Test func theTokenMatchesOnlyItself() {
        let token = AdminToken("s3cret-admin-token-value")
        #expect(token.matches("s3cret-admin-token-value"))
        #expect(!token.matches("s3cret-admin-token-valuE"))
        #expect(!token.matches("s3cret-admin-token-valu"))
        #expect(!token.matches(""))
    }
}

@Suite struct AdminKeyRoutesTests {
    static let fullKey = #"""
        {"name": "search", "allowed_providers": ["openai"], "allowed_models": ["gpt-4o*"], "pinned_keys": ["k1"],
         "budgets": [{"limit_usd": 10.05, "period": "1M", "calendar_aligned": true}, {"id": "daily", "limit_usd": "0.000000001", "period": "1d"}],
         "rate_limit": {"requests": 100, "tokens": 50000, "window_seconds": 60, "max_concurrent": 4}, "expires_at": "2999-01-01T00:00:00Z",
         "metadata": {"team": "search", "costCentre": "42"}}
        """#

    @Test func createShowsTheSecretOnceAndEveryOtherAnswerNever() async throws {
        try await AdminHarness.with { client, harness in
            let created = try await client.admin("/api/keys", .post, raw: Self.fullKey)
            #expect(created.status == .created)
            let key = try AdminHarness.json(created.body)
            let id = try #require(key["id"] as? String), accessKeyId = try #require(key["access_key_id"] as? String)
            let secret = try #require(key["secret_access_key"] as? String)
            #expect(KeyCredentials.isWellFormedAccessKeyId(accessKeyId) && secret.utf8.count == 40)
            #expect(key["bearer_token"] as? String == "sk-swyd-\(accessKeyId).\(secret)")
            #expect(key["state"] as? String == "active" && key["source"] as? String == "api")
            let budgets = try #require(key["budgets"] as? [[String: Any]])
            // A JSON number is read from its digits: 10.05 stays 10.05, not 10.0499999….
            #expect(budgets.map { $0["limit_usd"] as? String } == ["10.05", "0.000000001"])
            #expect(budgets.map { $0["id"] as? String } == ["1M", "daily"])
            #expect((key["metadata"] as? [String: String])?["costCentre"] == "42")
            #expect((key["rate_limit"] as? [String: Int])?["max_concurrent"] == 4)
            #expect(key["expires_at"] as? String == "2999-01-01T00:00:00.000Z")

            let stored = try #require(try await harness.store.virtualKeys.key(id: id))
            #expect(stored.policy.budgets.first?.limitNanos == 10_050_000_000)
            #expect(try await harness.governance.ring.entry(accessKeyId: accessKeyId)?.secret == secret)

            for uri in ["/api/keys", "/api/keys/\(id)", "/api/keys/search", "/api/keys/\(accessKeyId)", "/api/keys/\(id)/usage"] {
                let answer = try await client.admin(uri)
                #expect(answer.status == .ok, "\(uri)")
                #expect(!String(buffer: answer.body).contains(secret), "\(uri)")
                #expect(!String(buffer: answer.body).contains("secret_access_key"), "\(uri)")
            }
            let listed = try #require(try AdminHarness.json(try await client.admin("/api/keys").body)["keys"] as? [[String: Any]])
            #expect(listed.map { $0["id"] as? String } == [id])
            #expect(try AdminHarness.json(try await client.admin("/api/keys/search").body)["id"] as? String == id)
        }
    }

    @Test(arguments: [
        (#"{"allowed_models": ["gpt"]}"#, "name is required"),
        (#"{"name": "k", "colour": "blue"}"#, "colour: unknown field"),
        (#"{"name": "k", "budgets": [{"limit_usd": "5", "period": "1fortnight"}]}"#, "budgets[0].period"),
        (#"{"name": "k", "budgets": [{"limit_usd": "-5", "period": "1d"}]}"#, "budgets[0].limit_usd"),
        (#"{"name": "k", "budgets": [{"limit_usd": 1e-12, "period": "1d"}]}"#, "budgets[0].limit_usd"),
        (#"{"name": "k", "budgets": [{"limit_usd": "5"}]}"#, "budgets[0].period is required"),
        (#"{"name": "k", "budgets": [{"limit_usd": "5", "period": "1d"}, {"limit_usd": "9", "period": "1d"}]}"#, "used twice"),
        (#"{"name": "k", "budgets": [{"limit_usd": "5", "period": "1d", "cap": true}]}"#, "budgets[0].cap: unknown field"),
        (#"{"name": "k", "allowed_models": ["regex:(["]}"#, "allowed_models"),
        (#"{"name": "k", "allowed_models": "gpt-4o"}"#, "allowed_models: expected a list of strings"),
        (#"{"name": "k", "allowed_providers": ["opena"]}"#, "'opena' is not a configured provider"),
        (#"{"name": "k", "pinned_keys": ["nope"]}"#, "pinned_keys: 'nope'"),
        (#"{"name": "k", "rate_limit": {"requests": 0}}"#, "rate_limit.requests"),
        (#"{"name": "k", "rate_limit": {"window_seconds": 60}}"#, "at least one of requests"),
        (#"{"name": "k", "rate_limit": {"requests": 1.5}}"#, "rate_limit.requests: expected a whole number"),
        (#"{"name": "k", "expires_at": "tomorrow"}"#, "expires_at: expected an RFC 3339"),
        (#"{"name": "k", "expires_at": "2001-01-01T00:00:00Z"}"#, "in the past"),
        (#"{"name": "a/b"}"#, "'/'"),
        (#"{"name": ""}"#, "1 to 128"),
        (#"{"name": "k", "metadata": {"team": 7}}"#, "metadata: expected an object of string values"),
        (#"{"name": "k""#, "not valid JSON"),
        (#"[{"name": "k"}]"#, "must be a JSON object"),
    ])
    func badRequestsAreA400NamingTheField(body: String, says: String) async throws {
        try await AdminHarness.with { client, harness in
            let answer = try await client.admin("/api/keys", .post, raw: body)
            #expect(answer.status == .badRequest, "\(body)")
            let error = try #require(try AdminHarness.json(answer.body)["error"] as? [String: String])
            #expect(error["code"] == "ValidationError")
            #expect(error["message"]?.contains(says) == true, "\(error["message"] ?? "")")
            #expect(try await harness.store.virtualKeys.keys().isEmpty)
        }
    }

    @Test func aDuplicateNameIsA409() async throws {
        try await AdminHarness.with { client, _ in
            #expect(try await client.admin("/api/keys", .post, raw: #"{"name": "team"}"#).status == .created)
            let again = try await client.admin("/api/keys", .post, raw: #"{"name": "team"}"#)
            #expect(again.status == .conflict)
            #expect((try AdminHarness.json(again.body)["error"] as? [String: String])?["message"]?.contains("team") == true)
        }
    }

    @Test func updateChangesOnlyWhatIsSentAndNullClears() async throws {
        try await AdminHarness.with { client, harness in
            let key = try AdminHarness.json(try await client.admin("/api/keys", .post, raw: Self.fullKey).body)
            let id = try #require(key["id"] as? String)
            let before = try #require(try await harness.store.virtualKeys.key(id: id))

            let renamed = try await client.admin("/api/keys/\(id)", .patch, raw: #"{"name": "search-v2", "allowed_models": ["o3"]}"#)
            #expect(renamed.status == .ok)
            var after = try #require(try await harness.store.virtualKeys.key(id: id))
            #expect(after.name == "search-v2" && after.policy.allowedModels == ["o3"])
            #expect(after.policy.budgets == before.policy.budgets && after.policy.rateLimit == before.policy.rateLimit)
            #expect(after.accessKeyId == before.accessKeyId && after.sealedSecret == before.sealedSecret && after.metadata == before.metadata)

            let cleared = try await client.admin("/api/keys/search-v2", .patch, raw: #"{"rate_limit": null, "expires_at": null, "active": false}"#)
            let shown = try AdminHarness.json(cleared.body)
            #expect(shown["rate_limit"] is NSNull && shown["expires_at"] is NSNull)
            #expect(shown["state"] as? String == "inactive" && shown["active"] as? Bool == false)
            after = try #require(try await harness.store.virtualKeys.key(id: id))
            #expect(after.policy.rateLimit == nil && after.expiresAt == nil && !after.active)
            #expect(try await harness.governance.ring.entry(keyId: id)?.record.isUsable(at: Date()) == false)

            let bad = try await client.admin("/api/keys/\(id)", .patch, raw: #"{"budgets": [{"limit_usd": "1", "period": "1x"}]}"#)
            #expect(bad.status == .badRequest)
            #expect(try await client.admin("/api/keys/nosuch", .patch, raw: #"{"active": true}"#).status == .notFound)
        }
    }

    @Test func rotationReplacesTheCredentialsAtOnceAndKeepsTheId() async throws {
        try await AdminHarness.with { client, harness in
            let key = try AdminHarness.json(try await client.admin("/api/keys", .post, raw: #"{"name": "rotating"}"#).body)
            let id = try #require(key["id"] as? String), old = try #require(key["access_key_id"] as? String)
            #expect(try await harness.governance.ring.entry(accessKeyId: old) != nil)

            let answer = try await client.admin("/api/keys/\(id)/rotate", .post)
            #expect(answer.status == .ok)
            let rotated = try AdminHarness.json(answer.body)
            let fresh = try #require(rotated["access_key_id"] as? String), secret = try #require(rotated["secret_access_key"] as? String)
            #expect(rotated["id"] as? String == id && fresh != old && secret != key["secret_access_key"] as? String)
            #expect(try await harness.governance.ring.entry(accessKeyId: old) == nil)
            #expect(try await harness.governance.ring.entry(accessKeyId: fresh)?.secret == secret)
            #expect(try await client.admin("/api/keys/\(old)").status == .notFound)
            #expect(try await client.admin("/api/keys/nosuch/rotate", .post).status == .notFound)
        }
    }

    @Test func revokingKeepsTheRowAndSwitchesTheKeyOff() async throws {
        try await AdminHarness.with { client, harness in
            let key = try AdminHarness.json(try await client.admin("/api/keys", .post, raw: #"{"name": "leaving"}"#).body)
            let accessKeyId = try #require(key["access_key_id"] as? String)
            let revoked = try AdminHarness.json(try await client.admin("/api/keys/leaving/revoke", .post).body)
            #expect(revoked["state"] as? String == "inactive")
            let entry = try #require(try await harness.governance.ring.entry(accessKeyId: accessKeyId))
            #expect(!entry.record.isUsable(at: Date()))
            #expect(try await client.admin("/api/keys").body.readableBytes > 0)
            #expect(try await client.admin("/api/keys/leaving", .delete).status != .ok)
            #expect(try await harness.store.virtualKeys.key(name: "leaving") != nil)
        }
    }

    @Test func keysDeclaredInTheConfigurationChangeOnlyThere() async throws {
        var config = AdminHarness.config
        config.governance.keys = [DeclaredKey(name: "declared", accessKeyId: "DECLARED0000000001", secret: "declared-secret-0123456789")]
        try await AdminHarness.with(config: config) { client, _ in
            let shown = try AdminHarness.json(try await client.admin("/api/keys/declared").body)
            #expect(shown["source"] as? String == "config" && shown["access_key_id"] as? String == "DECLARED0000000001")
            for (uri, method, body) in [
                ("/api/keys/declared", HTTPRequest.Method.patch, #"{"active": false}"# as String?),
                ("/api/keys/declared/rotate", .post, nil), ("/api/keys/declared/revoke", .post, nil),
            ] {
                let answer = try await client.admin(uri, method, raw: body ?? "")
                #expect(answer.status == .conflict, "\(uri)")
                #expect((try AdminHarness.json(answer.body)["error"] as? [String: String])?["message"]?.contains("governance.keys") == true)
            }
        }
    }
}

@Suite struct AdminKeyUsageTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600 + 3 * 86_400 + 1800)  // 2026-01-04T00:30:00Z

    static func row(_ id: String, key: String?, at date: Date, cost: Int64?, tokens: Int = 15) -> RequestLogRecord {
        RequestLogRecord(
            id: id, startedAt: date, endedAt: date.addingTimeInterval(0.1), door: "bedrock-runtime", operation: "Converse",
            route: "/bedrock/model/{modelId}/converse", httpStatus: 200, provider: "openai", modelResolved: "gpt-4o-mini",
            tokens: RequestLogTokens(input: tokens - 5, output: 5), cost: cost.map(USDAmount.init(nanos:)), latencyMs: 100, callerIdentity: key)
    }

    /// Budgets from the budget store (what settled calls spent in each current window), the rate-limit window from
    /// the key's request-log rows.
    @Test func usageIsTheKeysSpendInEachWindow() async throws {
        try await AdminHarness.with { _, harness in
            let issued = try await harness.governance.issuer.create(
                name: "metered",
                policy: VirtualKeyPolicy(
                    budgets: [
                        BudgetRule(id: "month", limitNanos: 1_000_000_000, period: "1M", calendarAligned: true),
                        BudgetRule(id: "day", limitNanos: 3_000, period: "1d", calendarAligned: true),
                    ],
                    rateLimit: RateLimitRule(requests: 10, tokens: 100, windowSeconds: 3600)),
                now: Self.now.addingTimeInterval(-30 * 86_400))
            let id = issued.record.id
            let minute: TimeInterval = 60
            try await harness.store.requestLog.append([
                Self.row("this-hour", key: id, at: Self.now.addingTimeInterval(-5 * minute), cost: 2_000),
                Self.row("earlier-today", key: id, at: Self.now.addingTimeInterval(-29 * minute), cost: 2_000),
                Self.row("this-month", key: id, at: Self.now.addingTimeInterval(-2 * 86_400), cost: 500),
                Self.row("last-month", key: id, at: Self.now.addingTimeInterval(-5 * 86_400), cost: 7_000),
                Self.row("someone-else", key: "other", at: Self.now.addingTimeInterval(-minute), cost: 9_000),
                Self.row("anonymous", key: nil, at: Self.now.addingTimeInterval(-minute), cost: 9_000),
            ])
            let windows = try issued.record.budgetWindows(at: Self.now)
            try await harness.store.spend.settle([
                BudgetSettlement(reservationId: nil, keyId: id, costNanos: 4_000, budgets: windows),
                BudgetSettlement(reservationId: nil, keyId: id, costNanos: 500, budgets: windows.filter { $0.budgetId == "month" }),
                BudgetSettlement(reservationId: nil, keyId: "other", costNanos: 9_000, budgets: windows),
            ])
            let router = Router()
            AdminKeyRoutes<BasicRequestContext>(
                issuer: harness.governance.issuer, usage: harness.governance.usage,
                known: .init(providers: [], providerKeys: []), logger: AdminHarness.logger, now: { Self.now }
            ).register(on: router.group("api"))
            try await Application(router: router).test(.router) { client in
                let usage = try AdminHarness.json(try await client.execute(uri: "/api/keys/metered/usage", method: .get).body)
                #expect(usage["key_id"] as? String == id && usage["source"] as? String == "budget_store")
                let budgets = try #require(usage["budgets"] as? [[String: Any]])
                #expect(budgets.map { $0["id"] as? String } == ["month", "day"])
                #expect(budgets[0]["spent_usd"] as? String == "0.0000045" && budgets[0]["remaining_usd"] as? String == "0.9999955")
                #expect(budgets[0]["window_start"] as? String == "2026-01-01T00:00:00.000Z")
                #expect(budgets[0]["window_end"] as? String == "2026-02-01T00:00:00.000Z")
                // Over the limit: nothing remains, never a negative amount.
                #expect(budgets[1]["spent_usd"] as? String == "0.000004" && budgets[1]["remaining_usd"] as? String == "0")
                #expect(budgets[1]["window_start"] as? String == "2026-01-04T00:00:00.000Z")
                let rate = try #require(usage["rate_limit"] as? [String: Any])
                #expect(rate["window_start"] as? String == "2026-01-04T00:00:00.000Z")
                #expect((rate["requests"] as? [String: Int]) == ["limit": 10, "used": 2, "remaining": 8])
                #expect((rate["tokens"] as? [String: Int]) == ["limit": 100, "used": 30, "remaining": 70])
                #expect(rate["in_flight"] is NSNull)
            }
        }
    }
}
