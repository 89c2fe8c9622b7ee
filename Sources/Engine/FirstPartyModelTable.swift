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
