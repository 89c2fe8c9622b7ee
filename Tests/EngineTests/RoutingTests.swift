import Engine
import SwitchyardModel
import Testing

@Suite struct RoutingTests {
    let router = ModelRouter(
        providers: ["openai": .openai, "anthropic": .anthropic, "ollama": .openai, "mistral": .openai],
        aliases: ["fast": "openai/gpt-4o-mini"])

    @Test func providerPrefixSplitsAtFirstSlash() throws {
        #expect(try router.route("openai/gpt-4o-mini") == Route(provider: "openai", model: "gpt-4o-mini"))
        #expect(try router.route("ollama/library/llama3.2:1b") == Route(provider: "ollama", model: "library/llama3.2:1b"))
    }

    @Test func aliasResolves() throws {
        #expect(try router.route("fast") == Route(provider: "openai", model: "gpt-4o-mini"))
    }

    @Test func unknownIdIsNotFoundAndNamed() {
        for id in ["gemini/gemini-2.0-flash", "cohere.command-r-v1:0", "openai/", "plainname"] {
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

    @Test(arguments: [
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic", "claude-3-5-sonnet-20240620"),
        ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "anthropic", "claude-3-7-sonnet-20250219"),
        ("anthropic.claude-3-sonnet-20240229", "anthropic", "claude-3-sonnet-20240229"),
        ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", "anthropic", "claude-3-haiku-20240307"),
        ("mistral.mistral-large-2407-v1:0", "mistral", "mistral-large-2407"),
        ("mistral.mistral-large-2407", "mistral", "mistral-large-2407"),
        ("mistral.mixtral-8x7b-instruct-v0:1", "mistral", "open-mixtral-8x7b"),
        ("meta.llama3-2-1b-instruct-v1:0", "ollama", "llama3.2:1b"),
        ("amazon.titan-embed-text-v2:0", "openai", "text-embedding-3-small"),
        ("amazon.nova-lite-v1:0", "openai", "gpt-4o-mini"),
    ])
    func bedrockIdsFallBackToFirstParty(_ example: (String, String, String)) throws {
        #expect(try router.route(example.0) == Route(provider: example.1, model: example.2))
    }

    @Test func bedrockIdsGoToTheBedrockProviderWhenThereIsOne() throws {
        let router = ModelRouter(providers: ["anthropic": .anthropic, "aws": .bedrock], aliases: ["sonnet": "us.anthropic.claude-3-7-sonnet-20250219-v1:0"])
        #expect(try router.route("anthropic.claude-3-5-sonnet-20240620-v1:0") == Route(provider: "aws", model: "anthropic.claude-3-5-sonnet-20240620-v1:0"))
        #expect(try router.route("sonnet") == Route(provider: "aws", model: "us.anthropic.claude-3-7-sonnet-20250219-v1:0"))
        #expect(try router.route("anthropic/claude-x") == Route(provider: "anthropic", model: "claude-x"))
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
        #expect(try KeySelector.pick(from: keys, model: "x", pinned: "a", avoiding: [])?.name == "a")
        // Pinning skips load balancing, not the allow-list.
        #expect(throws: GatewayError.self) { try KeySelector.pick(from: keys, model: "y", pinned: "a", avoiding: []) }
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
