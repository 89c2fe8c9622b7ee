import Engine
import SwitchyardModel
import SwitchyardServer
import Testing

@Suite struct CacheConfigTests {
    let loader = ConfigLoader(environment: ["OPENAI_API_KEY": "sk-env", "KEY_SECRET": "s3cr3t-s3cr3t-s3cr3t-s3cr3t"])

    @Test func theCacheSectionAndAKeysCachePolicyParse() throws {
        let config = try loader.parse(
            """
            providers:
              openai: {keys: [env.OPENAI_API_KEY]}
            cache:
              enabled: true
              ttl: 2m
              max_ttl: 1h
              max_entries: 500
              models:
                fast: {enabled: false, ttl: 30}
              semantic:
                embedding_model: openai/text-embedding-3-small
                threshold: 0.97
            governance:
              keys:
                - name: search
                  access_key_id: SWYDCONFIGCACHEKEY01
                  secret: env.KEY_SECRET
                  cache: {scope: "group:search", allowed_controls: [ttl, no-store], cache_tool_use: true}
            """)
        #expect(config.cache.configured && config.cache.enabled)
        #expect(config.cache.ttlSeconds == 120)
        #expect(config.cache.maxTTLSeconds == 3600)
        #expect(config.cache.maxEntries == 500)
        #expect(config.cache.models["fast"] == ModelCacheSettings(enabled: false, ttlSeconds: 30))
        #expect(config.cache.semantic.enabled)
        #expect(config.cache.semantic.threshold == 0.97)
        #expect(config.governance.keys.first?.cache == CachePolicy(scope: "group:search", allowedControls: ["ttl", "no-store"], cacheToolUse: true))
    }

    @Test func withoutTheSectionThereIsNoCache() throws {
        let config = try loader.parse("providers:\n  openai: {keys: [env.OPENAI_API_KEY]}\n")
        #expect(!config.cache.configured)
    }

    @Test(arguments: [
        ("cache: {ttl: 2h, max_ttl: 1h}", "cache.ttl"),
        ("cache: {semantic: {threshold: 0.9}}", "cache.semantic.embedding_model"),
        ("cache: {semantic: {embedding_model: openai/e, threshold: 1.5}}", "cache.semantic.threshold"),
        ("cache: {ttl: soon}", "cache.ttl"),
        ("cache: {colour: blue}", "unknown setting 'colour'"),
    ])
    func mistakesNameTheirSetting(yaml: String, named: String) {
        #expect {
            _ = try loader.parse("providers:\n  openai: {keys: [env.OPENAI_API_KEY]}\n" + yaml + "\n")
        } throws: { error in
            "\(error)".contains(named)
        }
    }

    @Test func aKeyScopeMustBeOneTheCacheKnows() {
        #expect {
            _ = try loader.parse(
                """
                providers:
                  openai: {keys: [env.OPENAI_API_KEY]}
                governance:
                  keys:
                    - {name: k, access_key_id: SWYDCONFIGCACHEKEY02, secret: env.KEY_SECRET, cache: {scope: everyone}}
                """)
        } throws: { error in
            "\(error)".contains("scope")
        }
    }
}
