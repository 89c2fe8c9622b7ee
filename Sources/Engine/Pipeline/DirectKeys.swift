import SwitchyardModel

/// Upstream credentials a caller sent with its own request (`governance.allow_direct_keys`). A call to a provider
/// they are for goes up with them instead of the configured keys: no load balancing, no other key on a retry.
/// They live only as long as the request: never stored, never logged, never in a span. The call's record names
/// the key `direct`, and the values join the call's redactor, so an upstream that echoes one shows nothing.
public struct DirectKeys: Sendable, Hashable {
    public enum Credential: Sendable, Hashable {
        /// An API key; for Bedrock, a Bedrock API key (sent as `Authorization: Bearer`).
        case apiKey(String)
        /// AWS access keys that Bedrock calls (and S3 calls of its namespace) are signed with.
        case aws(AWSAccess)
    }

    /// The key name calls made with a direct key are recorded under.
    public static let keyName = "direct"

    public var bedrock: Credential?
    /// The region Bedrock calls are signed for and sent to; the provider's when absent.
    public var bedrockRegion: String?
    /// For OpenAI's own API only: a server that merely speaks its dialect (Groq, Mistral, Ollama, …) is another
    /// vendor, and must not see the caller's OpenAI key.
    public var openAI: String?
    /// For Anthropic's own API only, likewise.
    public var anthropic: String?
    public var gemini: String?
    /// For whichever provider the requested model resolves to, when no key of that provider's vendor was given;
    /// a fallback to another provider does not get it.
    public var requestedProvider: String?

    public init(
        bedrock: Credential? = nil, bedrockRegion: String? = nil, openAI: String? = nil, anthropic: String? = nil, gemini: String? = nil,
        requestedProvider: String? = nil
    ) {
        self.bedrock = bedrock
        self.bedrockRegion = bedrockRegion
        self.openAI = openAI
        self.anthropic = anthropic
        self.gemini = gemini
        self.requestedProvider = requestedProvider
    }

    public var isEmpty: Bool { bedrock == nil && openAI == nil && anthropic == nil && gemini == nil && requestedProvider == nil }

    /// Every value that must never be shown (an access key id is public, as in AWS's own error messages).
    public var secrets: [String] {
        var values = [openAI, anthropic, gemini, requestedProvider].compactMap { $0 }
        switch bedrock {
        case .apiKey(let key): values.append(key)
        case .aws(let access): values += [access.secretAccessKey, access.sessionToken].compactMap { $0 }
        case nil: break
        }
        return values.filter { !$0.isEmpty }
    }

    /// The credential a call to `config`'s provider goes up with, or nil when its configured keys serve it.
    /// `isRequested`: the provider is the one the requested model resolves to, not a fallback's.
    public func credential(for config: ProviderConfig, isRequested: Bool) -> Credential? {
        let vendors: Credential? =
            switch config.kind {
            case .bedrock: bedrock
            case .openai: config.isVendorAPI ? openAI.map(Credential.apiKey) : nil
            case .anthropic: config.isVendorAPI ? anthropic.map(Credential.apiKey) : nil
            case .gemini: gemini.map(Credential.apiKey)
            }
        return vendors ?? (isRequested ? requestedProvider.map(Credential.apiKey) : nil)
    }
}

/// Whatever prints a descriptor or a record (a log line, a debugger, a test failure) must not print the values.
extension DirectKeys: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        let given: [(String, Bool)] = [
            ("bedrock", bedrock != nil), ("openai", openAI != nil), ("anthropic", anthropic != nil), ("gemini", gemini != nil),
            ("provider", requestedProvider != nil),
        ]
        return "DirectKeys(\(given.filter(\.1).map(\.0).joined(separator: ", ")))"
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// The direct keys of the request being served, set by the server for the request's whole task (the same way as
/// `CallerScope`); `Engine.begin` copies them into the call's descriptor, and calls made outside the pipeline
/// (a control-plane call forwarded as it came) read them here.
public enum DirectKeyScope {
    @TaskLocal public static var current: DirectKeys?
}
