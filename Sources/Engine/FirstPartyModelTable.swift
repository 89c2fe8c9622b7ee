/// Where a well-known Bedrock model id can run when no `bedrock` provider is configured: candidates in order of
/// preference, each `provider/model`; the first whose provider is configured wins. Anthropic and Mistral models map
/// to the same model at their maker; Meta's to Ollama's builds of them; Amazon's, which only Bedrock serves, to the
/// closest OpenAI model.
public enum FirstPartyModelTable {
    static let exact: [String: [String]] = [
        "mistral.mistral-7b-instruct": ["mistral/open-mistral-7b"],
        "mistral.mixtral-8x7b-instruct": ["mistral/open-mixtral-8x7b"],
        "meta.llama3-8b-instruct": ["ollama/llama3:8b", "groq/llama3-8b-8192"],
        "meta.llama3-70b-instruct": ["ollama/llama3:70b", "groq/llama3-70b-8192"],
        "meta.llama3-1-8b-instruct": ["ollama/llama3.1:8b", "groq/llama-3.1-8b-instant"],
        "meta.llama3-1-70b-instruct": ["ollama/llama3.1:70b"],
        "meta.llama3-2-1b-instruct": ["ollama/llama3.2:1b"],
        "meta.llama3-2-3b-instruct": ["ollama/llama3.2:3b"],
        "meta.llama3-3-70b-instruct": ["ollama/llama3.3:70b", "groq/llama-3.3-70b-versatile"],
        "amazon.nova-micro": ["openai/gpt-4o-mini"],
        "amazon.nova-lite": ["openai/gpt-4o-mini"],
        "amazon.nova-pro": ["openai/gpt-4o"],
        "amazon.nova-premier": ["openai/gpt-4.1"],
        "amazon.titan-text-express": ["openai/gpt-4o-mini"],
        "amazon.titan-text-lite": ["openai/gpt-4o-mini"],
        "amazon.titan-text-premier": ["openai/gpt-4o"],
        "amazon.titan-embed-text": ["openai/text-embedding-3-small"],
        "amazon.titan-embed-text-v2": ["openai/text-embedding-3-small"],
        "amazon.titan-embed-g1-text-02": ["openai/text-embedding-3-small"],
        "cohere.embed-english-v3": ["openai/text-embedding-3-small"],
        "cohere.embed-multilingual-v3": ["openai/text-embedding-3-small"],
    ]

    /// Bedrock model ids the gateway lists when it can route them.
    public static let wellKnownIds: [String] = [
        "anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-opus-20240229-v1:0",
        "anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-7-sonnet-20250219-v1:0",
        "anthropic.claude-sonnet-4-20250514-v1:0", "anthropic.claude-opus-4-20250514-v1:0",
        "anthropic.claude-opus-4-1-20250805-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "mistral.mistral-7b-instruct-v0:2", "mistral.mixtral-8x7b-instruct-v0:1", "mistral.mistral-large-2402-v1:0",
        "mistral.mistral-large-2407-v1:0", "mistral.mistral-small-2402-v1:0",
        "meta.llama3-8b-instruct-v1:0", "meta.llama3-70b-instruct-v1:0", "meta.llama3-1-8b-instruct-v1:0",
        "meta.llama3-1-70b-instruct-v1:0", "meta.llama3-2-1b-instruct-v1:0", "meta.llama3-2-3b-instruct-v1:0",
        "meta.llama3-3-70b-instruct-v1:0",
        "amazon.nova-micro-v1:0", "amazon.nova-lite-v1:0", "amazon.nova-pro-v1:0", "amazon.nova-premier-v1:0",
        "amazon.titan-text-express-v1", "amazon.titan-text-lite-v1", "amazon.titan-text-premier-v1:0",
        "amazon.titan-embed-text-v1", "amazon.titan-embed-text-v2:0",
        "cohere.embed-english-v3", "cohere.embed-multilingual-v3",
    ]

    /// Candidates for a Bedrock id (profile prefixes, ARNs and version suffixes are ignored).
    public static func candidates(for bedrockId: String) -> [String] {
        let base = BedrockModelID.baseModel(bedrockId)
        let unversioned = BedrockModelID.withoutVersion(base)
        if let hit = exact[base] ?? exact[unversioned] { return hit }
        guard let dot = unversioned.firstIndex(of: ".") else { return [] }
        let vendor = unversioned[..<dot]
        let name = unversioned[unversioned.index(after: dot)...]
        switch vendor {
        case "anthropic": return ["anthropic/\(name)"]
        case "mistral": return ["mistral/\(name)"]
        default: return []
        }
    }
}
