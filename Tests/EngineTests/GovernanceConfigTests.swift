import Engine
import Foundation
import SwitchyardServer
import Testing

@Suite struct GovernanceConfigTests {
    static let providers = """
        providers:
          openai:
            base_url: http://127.0.0.1:9/v1
            keys: [{name: k1, value: sk-1}]

        """
    let loader = ConfigLoader(environment: ["SEARCH_SECRET": "search-secret-0123456789", "SEARCH_AKID": "SEARCHKEY000000001"])

    @Test func declaredKeysAreReadWithTheirRulesAndSecretsFromTheEnvironment() throws {
        let config = try loader.parse(Self.providers + """
            governance:
              keys:
                - name: search
                  access_key_id: env.SEARCH_AKID
                  secret: env.SEARCH_SECRET
                  expires_at: 2030-01-01T00:00:00Z
                  allowed_providers: [openai]
                  allowed_models: ["gpt-4o*"]
                  pinned_keys: [k1]
                  budgets:
                    - {limit_usd: 100.10, period: 1M, calendar_aligned: true}
                    - {id: daily, limit_usd: "5", period: 1d}
                  rate_limit: {requests: 600, max_concurrent: 8}
                  metadata: {team: search}
                - name: literal
                  access_key_id: LITERALKEY00000001
                  secret: literal-secret-0123456789
                  active: false
            """)
        let keys = config.governance.keys
        #expect(keys.map(\.name) == ["search", "literal"])
        let search = keys[0]
        #expect(search.accessKeyId == "SEARCHKEY000000001" && search.secret == "search-secret-0123456789" && !search.secretInFile)
        #expect(search.expiresAt == Date(timeIntervalSince1970: 1_893_456_000))
        #expect(search.allowedProviders == ["openai"] && search.allowedModels == ["gpt-4o*"] && search.pinnedKeys == ["k1"])
        #expect(search.budgets == [
            DeclaredKey.Budget(id: "1M", limitNanos: 100_100_000_000, period: "1M", calendarAligned: true),
            DeclaredKey.Budget(id: "daily", limitNanos: 5_000_000_000, period: "1d"),
        ])
        #expect(search.rateLimit == DeclaredKey.RateLimit(requests: 600, windowSeconds: 60, maxConcurrent: 8))
        #expect(search.metadata == ["team": "search"])
        #expect(keys[1].secretInFile && !keys[1].active)
    }

    static let key = "    - {name: a, access_key_id: AKEYAKEYAKEYAKEY01, secret: env.SEARCH_SECRET"

    @Test(arguments: [
        ("governance:\n  keys:\n    - {name: a, secret: env.SEARCH_SECRET}\n", 7, "'access_key_id' is required"),
        ("governance:\n  keys:\n    - {name: a, access_key_id: AKEYAKEYAKEYAKEY01, secret: env.NOPE}\n", 7, "NOPE is not set"),
        ("governance:\n  keys:\n\(key), budgets: [{limit_usd: 5, period: 1fortnight}]}\n", 7, "'1fortnight' is not a budget period"),
        ("governance:\n  keys:\n\(key), budgets: [{limit_usd: 1.0000000001, period: 1d}]}\n", 7, "limit_usd"),
        ("governance:\n  keys:\n\(key), allowed_providers: [anthropic]}\n", 7, "'anthropic' is not a configured provider"),
        ("governance:\n  keys:\n\(key), pinned_keys: [k9]}\n", 7, "'k9' names no provider key"),
        ("governance:\n  keys:\n\(key), allowed_models: ['regex:([']}\n", 7, "allowed_models"),
        ("governance:\n  keys:\n\(key), rate_limit: {requests: 0}}\n", 7, "rate_limit.requests"),
        ("governance:\n  keys:\n\(key), expires_at: soon}\n", 7, "RFC 3339"),
        ("governance:\n  keys:\n\(key), colour: red}\n", 7, "unknown setting 'colour'"),
        ("governance:\n  keys:\n    - {name: a, access_key_id: short, secret: env.SEARCH_SECRET}\n", 7, "access key id"),
        ("governance:\n  keys:\n    - {name: a, access_key_id: AKEYAKEYAKEYAKEY01, secret: tiny}\n", 7, "secret must have 16"),
        ("governance:\n  keys:\n\(key)}\n\(key.replacingOccurrences(of: "AKEYAKEYAKEYAKEY01", with: "BKEYBKEYBKEYBKEY01"))}\n", 8, "the name 'a' is also"),
        ("governance:\n  keys:\n\(key)}\n\(key.replacingOccurrences(of: "name: a", with: "name: b"))}\n", 8, "access_key_id 'AKEYAKEYAKEYAKEY01' is also"),
        ("governance:\n  keys: {a: 1}\n", 6, "governance.keys: expected a list"),
    ])
    func badDeclarationsNameTheirLine(yaml: String, line: Int, says: String) {
        #expect {
            try loader.parse(Self.providers + yaml)
        } throws: { error in
            let error = error as? ConfigError
            return error?.line == line && error?.message.contains(says) == true
        }
    }

    @Test func theAdminTokenComesFromTheFileOrTheEnvironment() throws {
        let environment = ["SWITCHYARD_ADMIN_TOKEN": "from-the-environment-01", "FILE_TOKEN": "from-the-file-0123456"]
        #expect(try ConfigLoader(environment: environment).parse("providers: {}").server.adminToken == "from-the-environment-01")
        #expect(try ConfigLoader(environment: environment).parse("server: {admin_token: env.FILE_TOKEN}").server.adminToken == "from-the-file-0123456")
        #expect(ConfigLoader(environment: environment).fromEnvironment().server.adminToken == "from-the-environment-01")
        #expect(try ConfigLoader(environment: [:]).parse("providers: {}").server.adminToken == nil)
    }
}
