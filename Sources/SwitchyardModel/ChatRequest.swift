public struct InferenceConfig: Sendable, Hashable {
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var stopSequences: [String]
    public init(maxTokens: Int? = nil, temperature: Double? = nil, topP: Double? = nil, stopSequences: [String] = []) {
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.stopSequences = stopSequences
    }
}

public struct ToolSpec: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var inputSchema: JSONValue
    /// A cache point that followed this tool in the caller's list.
    public var cachePoint: CachePoint?
    public init(name: String, description: String?, inputSchema: JSONValue, cachePoint: CachePoint? = nil) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.cachePoint = cachePoint
    }
}

public enum ToolChoice: Sendable, Hashable {
    case auto
    case any
    case tool(String)
}

public struct ChatRequest: Sendable, Hashable {
    /// System prompt blocks: `.text` and `.cachePoint` only.
    public var system: [ContentPart]
    public var messages: [Message]
    public var inference: InferenceConfig
    public var tools: [ToolSpec]
    public var toolChoice: ToolChoice?
    /// Provider-specific request fields (`thinking`, `top_k`, …); each adapter takes the ones its API knows.
    public var additionalFields: [String: JSONValue]
    /// Other models to try, in order, when this one fails after its retries.
    public var fallbacks: [String]
    /// Tags the caller attached (Converse's `requestMetadata`): never sent upstream, and no part of the answer
    /// cache's key, but read by it for `swyd:cache*` controls.
    public var metadata: [String: String]

    public init(
        system: [ContentPart] = [],
        messages: [Message],
        inference: InferenceConfig = InferenceConfig(),
        tools: [ToolSpec] = [],
        toolChoice: ToolChoice? = nil,
        additionalFields: [String: JSONValue] = [:],
        fallbacks: [String] = [],
        metadata: [String: String] = [:]
    ) {
        self.system = system
        self.messages = messages
        self.inference = inference
        self.tools = tools
        self.toolChoice = toolChoice
        self.additionalFields = additionalFields
        self.fallbacks = fallbacks
        self.metadata = metadata
    }
}
