/// Reads Bedrock model identifiers: bare ids, cross-region inference profiles and ARNs.
public enum BedrockModelID {
    static let profilePrefixes = ["us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca."]
    static let vendors = ["anthropic", "amazon", "meta", "mistral", "cohere", "ai21", "stability", "deepseek", "openai", "qwen", "writer", "twelvelabs", "luma"]

    /// Whether `id` has the shape of something Bedrock itself would accept.
    public static func isBedrockShaped(_ id: String) -> Bool {
        if id.hasPrefix("arn:aws") && id.contains(":bedrock:") { return true }
        let bare = stripProfile(id)
        guard let dot = bare.firstIndex(of: ".") else { return false }
        return vendors.contains(String(bare[..<dot]))
    }

    /// `us.anthropic.claude-…` → `anthropic.claude-…`; a foundation-model or profile ARN → its id.
    public static func baseModel(_ id: String) -> String {
        var bare = id
        if bare.hasPrefix("arn:"), let slash = bare.lastIndex(of: "/") {
            bare = String(bare[bare.index(after: slash)...])
        }
        return stripProfile(bare)
    }

    static func stripProfile(_ id: String) -> String {
        for prefix in profilePrefixes where id.hasPrefix(prefix) {
            return String(id.dropFirst(prefix.count))
        }
        return id
    }

    /// `claude-3-5-sonnet-20240620-v1:0` → `claude-3-5-sonnet-20240620`.
    static func withoutVersion(_ name: String) -> String {
        guard let range = name.range(of: #"-v\d+(:\d+)*$"#, options: .regularExpression) else {
            if let colon = name.range(of: #":\d+$"#, options: .regularExpression) { return String(name[..<colon.lowerBound]) }
            return name
        }
        return String(name[..<range.lowerBound])
    }
}
