import Engine
import SwitchyardServer
import Testing

@Suite struct ProviderLimitsConfigTests {
    let loader = ConfigLoader(environment: [:])

    @Test func limitsHaveDefaultsAndCanBeSetPerProvider() throws {
        let config = try loader.parse(
            """
            providers:
              ollama:
                max_connections: 2000
                max_stream_event_bytes: 67108864
              openai:
                keys: [sk-x]
            """)
        let ollama = try #require(config.providers.first { $0.name == "ollama" })
        #expect(ollama.maxConnections == 2000)
        #expect(ollama.maxStreamEventBytes == 64 << 20)
        let openai = try #require(config.providers.first { $0.name == "openai" })
        #expect(openai.maxConnections == ProviderConfig.defaultMaxConnections)
        #expect(openai.maxStreamEventBytes == 8 << 20)
    }

    @Test(arguments: ["max_connections: 0", "max_connections: many", "max_stream_event_bytes: 10"])
    func outOfRangeLimitsAreRefusedWithTheirPath(_ setting: String) {
        #expect {
            _ = try loader.parse("providers:\n  ollama:\n    \(setting)\n")
        } throws: { error in
            String(describing: error).contains("providers.ollama.\(setting.prefix(while: { $0 != ":" }))")
        }
    }
}
