import Engine
import SwitchyardServer
import Testing

@Suite struct ConfigLoaderTests {
    let loader = ConfigLoader(environment: ["OPENAI_API_KEY": "sk-env", "GROQ_KEY": "gsk-1"])

    @Test func fullExampleParses() throws {
        let config = try loader.parse(
            """
            server:
              port: 9090
              max_body_bytes: 1000
            providers:
              openai:
                keys:
                  - name: main
                    value: env.OPENAI_API_KEY
                    weight: 3
                    models: [gpt-4o-mini]
                  - sk-literal
              groq:
                type: openai
                base_url: https://api.groq.com/openai/v1
                timeout_seconds: 2.5
                keys: [{value: env.GROQ_KEY}]
            aliases:
              fast: openai/gpt-4o-mini
            """)
        #expect(config.server.port == 9090)
        #expect(config.server.maxBodyBytes == 1000)
        let openai = try #require(config.providers.first { $0.name == "openai" })
        #expect(openai.kind == .openai)
        #expect(openai.baseURL == "https://api.openai.com/v1")
        #expect(openai.keys.map(\.value) == ["sk-env", "sk-literal"])
        #expect(openai.keys[0].weight == 3)
        #expect(openai.keys[0].models == ["gpt-4o-mini"])
        let groq = try #require(config.providers.first { $0.name == "groq" })
        #expect(groq.timeoutSeconds == 2.5)
        #expect(groq.keys.first?.value == "gsk-1")
        #expect(config.aliases["fast"] == "openai/gpt-4o-mini")
    }

    @Test func jsonIsAccepted() throws {
        let config = try loader.parse(#"{"providers": {"anthropic": {"keys": ["k"]}}}"#)
        #expect(config.providers.first?.kind == .anthropic)
    }

    @Test(arguments: [
        ("providers:\n  x:\n    type: nosuch\n", 3, "unknown provider type"),
        ("providers:\n  openai:\n    keys:\n      - value: env.MISSING\n", 4, "MISSING"),
        ("providers:\n  custom:\n    type: openai\n", 2, "base_url is required"),
        ("providers:\n  custom:\n    base_url: http://h/v1\n", 2, "type' is required"),
        ("providers:\n  openai:\n    timeout_seconds: -1\n", 3, "timeout_seconds"),
        ("server:\n  port: [1\n", 3, "YAML"),
        ("providers:\n  openai: {}\naliases:\n  a: nobody/m\n", 4, "names no configured provider"),
        ("bogus: 1\n", 1, "unknown setting"),
    ])
    func errorsNameTheLine(_ example: (String, Int, String)) {
        do {
            _ = try loader.parse(example.0)
            Issue.record("expected an error for \(example.0)")
        } catch let error as ConfigError {
            #expect(error.line == example.1, "\(error)")
            #expect(error.description.contains(example.2), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func directKeysAreOffUnlessTheGovernanceSectionTurnsThemOn() throws {
        #expect(try !loader.parse("providers: {}").governance.allowDirectKeys)
        #expect(try loader.parse("governance:\n  allow_direct_keys: true\n").governance.allowDirectKeys)
        #expect(throws: ConfigError.self) { try loader.parse("governance:\n  allow_direct_keys: sometimes\n") }
    }

    @Test func environmentModeConfiguresOnlyWhatIsSet() {
        let config = ConfigLoader(environment: ["OPENAI_API_KEY": "sk", "OLLAMA_BASE_URL": "http://127.0.0.1:1/v1"]).fromEnvironment()
        #expect(config.providers.map(\.name).sorted() == ["ollama", "openai"])
        #expect(config.providers.first { $0.name == "ollama" }?.keys.isEmpty == true)
    }
}

@Suite struct ObservabilityConfigTests {
    @Test func loggingPricingAndAdminAPIAreRead() throws {
        let config = try ConfigLoader(environment: ["ADMIN": "admin-token-0123456789"]).parse("""
            server:
              admin_token: env.ADMIN
            logging:
              content: true
              content_max_bytes: 100
              retention_days: 0
              flush_interval_ms: 50
            pricing:
              models:
                openai/my-model: {input: "1.25", output: 2}
            """)
        #expect(config.server.adminToken == "admin-token-0123456789")
        #expect(config.logging.content && config.logging.contentMaxBytes == 100 && config.logging.retentionDays == nil)
        #expect(config.logging.flushIntervalMs == 50 && config.logging.enabled)
        #expect(config.pricing.models["openai/my-model"] == ["input": "1.25", "output": "2"])
    }

    @Test func governanceIsReadAndOffByDefault() throws {
        let config = try ConfigLoader(environment: [:]).parse("governance: {enforce: true, allow_direct_keys: true}")
        #expect(config.governance == GovernanceSettings(enforce: true, allowDirectKeys: true))
        #expect(try ConfigLoader(environment: [:]).parse("providers: {}").governance == GovernanceSettings())
        #expect(throws: ConfigError.self) { try ConfigLoader(environment: [:]).parse("governance: {enforced: true}") }
        #expect(throws: ConfigError.self) { try ConfigLoader(environment: [:]).parse("governance: {enforce: maybe}") }
    }

    @Test func defaultsKeepContentAndTheAdminAPIOff() throws {
        let config = try ConfigLoader(environment: [:]).parse("providers: {}")
        #expect(config.server.adminToken == nil && !config.logging.content && config.logging.retentionDays == 30)
    }

    @Test(arguments: [
        ("logging:\n  flush_interval_ms: 1\n", 2, "flush_interval_ms"),
        ("logging:\n  content: maybe\n", 2, "true or false"),
        ("logging:\n  colour: red\n", 2, "unknown setting 'colour'"),
        ("pricing:\n  models:\n    gpt-4o: {input: '1', output: '1'}\n", 3, "provider/model"),
        ("pricing:\n  models:\n    openai/x: {input: '1.1234567', output: '1'}\n", 3, "openai/x.input"),
        ("pricing:\n  models:\n    openai/x: {input: '1'}\n", 3, "'output' is required"),
        ("server:\n  admin_api: true\n", 2, "server.admin_api is gone: the admin API (/api/...) is on when an admin token is set"),
        ("server:\n  port: 1\n  admin_token: short\n", 3, "at least 16 characters"),
        ("server:\n  admin_token: env.NOT_SET_ANYWHERE\n", 2, "NOT_SET_ANYWHERE is not set"),
    ])
    func badSettingsNameTheirLine(yaml: String, line: Int, says: String) {
        #expect {
            try ConfigLoader(environment: [:]).parse(yaml)
        } throws: { error in
            let error = error as? ConfigError
            return error?.line == line && error?.message.contains(says) == true
        }
    }
}
