import Engine
import SwitchyardModel
import Testing

@Suite struct RoutingTests {
    let router = ModelRouter(providers: ["openai", "anthropic", "ollama"], aliases: ["fast": "openai/gpt-4o-mini"])

    @Test func providerPrefixSplitsAtFirstSlash() throws {
        #expect(try router.route("openai/gpt-4o-mini") == Route(provider: "openai", model: "gpt-4o-mini"))
        #expect(try router.route("ollama/library/llama3.2:1b") == Route(provider: "ollama", model: "library/llama3.2:1b"))
    }

    @Test func aliasResolves() throws {
        #expect(try router.route("fast") == Route(provider: "openai", model: "gpt-4o-mini"))
    }

    @Test func unknownIdIsNotFoundAndNamed() {
        for id in ["gemini/gemini-2.0-flash", "anthropic.claude-3-5-sonnet-20240620-v1:0", "openai/"] {
            do {
                _ = try router.route(id)
                Issue.record("\(id) should not route")
            } catch let error as GatewayError {
                #expect(error.kind == .notFound)
                #expect(error.message.contains(id))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func weightedChoiceFollowsWeights() throws {
        let keys = [KeyConfig(name: "a", value: "1", weight: 1), KeyConfig(name: "b", value: "2", weight: 3)]
        #expect(try KeySelector.pick(from: keys, model: "m", pinned: nil, avoiding: [], random: { _ in 0.5 })?.name == "a")
        #expect(try KeySelector.pick(from: keys, model: "m", pinned: nil, avoiding: [], random: { _ in 1.5 })?.name == "b")
        #expect(try KeySelector.pick(from: keys, model: "m", pinned: nil, avoiding: ["b"], random: { _ in 0.9 })?.name == "a")
    }

    @Test func allowListsAndPinning() throws {
        let keys = [KeyConfig(name: "a", value: "1", models: ["x"]), KeyConfig(name: "b", value: "2", models: ["y"])]
        #expect(try KeySelector.pick(from: keys, model: "y", pinned: nil, avoiding: [])?.name == "b")
        #expect(try KeySelector.pick(from: keys, model: "y", pinned: "a", avoiding: [])?.name == "a")
        #expect(throws: GatewayError.self) { try KeySelector.pick(from: keys, model: "z", pinned: nil, avoiding: []) }
        #expect(throws: GatewayError.self) { try KeySelector.pick(from: keys, model: "x", pinned: "nope", avoiding: []) }
        #expect(try KeySelector.pick(from: [], model: "x", pinned: nil, avoiding: []) == nil)
    }

    @Test func redactorHidesKeysAndKeyShapes() {
        let redactor = SecretRedactor(secrets: ["sk-test-one", "plainsecret"])
        let text = redactor.redact("bad key sk-test-one; also plainsecret and sk-abc***xyz here")
        #expect(!text.contains("sk-test-one"))
        #expect(!text.contains("plainsecret"))
        #expect(!text.contains("sk-abc"))
        #expect(text.contains("here"))
    }
}
