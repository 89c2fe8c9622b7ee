import SwitchyardModel

/// A `GenerateContentResponse`: the whole answer of `:generateContent`, one chunk of `:streamGenerateContent`, or
/// the answer of a Gemini batch line. Read from upstreams and written for batch records, so it is Codable both
/// ways; members left nil are not written.
public struct GeminiResponse: Codable, Sendable {
    public struct Content: Codable, Sendable {
        public var role: String?
        public var parts: [GeminiPart]?
    }

    public struct Candidate: Codable, Sendable {
        public var content: Content?
        public var finishReason: String?
        public var index: Int?
    }

    public struct PromptFeedback: Codable, Sendable {
        public var blockReason: String?
    }

    /// The error object Gemini writes into a stream that fails after it began.
    public struct Failure: Codable, Sendable {
        public var code: Int?
        public var message: String?
        public var status: String?
    }

    public var candidates: [Candidate]?
    public var usageMetadata: GeminiUsage?
    public var promptFeedback: PromptFeedback?
    public var error: Failure?
    public var modelVersion: String?

    public var parts: [GeminiPart] { candidates?.first?.content?.parts ?? [] }

    /// The finish reason, or a block of the whole prompt (which comes without any candidate).
    public var finishReason: String? {
        if let reason = candidates?.first?.finishReason, !reason.isEmpty, reason != "FINISH_REASON_UNSPECIFIED" {
            return reason
        }
        if let blocked = promptFeedback?.blockReason, !blocked.isEmpty, candidates?.isEmpty ?? true {
            return "PROMPT_BLOCKED"
        }
        return nil
    }
}

/// One `Part` of a Gemini turn, request or answer; parts of kinds the gateway does not translate (executable code,
/// file data) decode with every field nil and are skipped.
public struct GeminiPart: Codable, Sendable {
    public struct FunctionCall: Codable, Sendable {
        public var name: String?
        public var args: JSONValue?
    }

    public struct FunctionResponse: Codable, Sendable {
        public var name: String?
        public var response: JSONValue?
    }

    public struct InlineData: Codable, Sendable {
        public var mimeType: String?
        /// Base64.
        public var data: String?
    }

    public var text: String?
    /// Set on parts that are the model's thinking rather than its answer.
    public var thought: Bool?
    public var thoughtSignature: String?
    public var functionCall: FunctionCall?
    public var functionResponse: FunctionResponse?
    public var inlineData: InlineData?

    public init(
        text: String? = nil, thought: Bool? = nil, thoughtSignature: String? = nil, functionCall: FunctionCall? = nil
    ) {
        self.text = text
        self.thought = thought
        self.thoughtSignature = thoughtSignature
        self.functionCall = functionCall
    }

    public var isThought: Bool { thought == true }
}

/// `usageMetadata` of a Gemini answer.
public struct GeminiUsage: Codable, Sendable {
    public var promptTokenCount: Int?
    public var candidatesTokenCount: Int?
    public var totalTokenCount: Int?
    public var cachedContentTokenCount: Int?
    public var thoughtsTokenCount: Int?
    public var toolUsePromptTokenCount: Int?

    /// Gemini counts cached tokens inside `promptTokenCount` and thoughts apart from `candidatesTokenCount`; the
    /// canonical count keeps cache reads apart from input and bills thinking as output, as Anthropic does.
    public var canonical: Usage {
        let cached = cachedContentTokenCount ?? 0
        let prompt = (promptTokenCount ?? 0) + (toolUsePromptTokenCount ?? 0)
        return Usage(
            inputTokens: max(0, prompt - cached),
            outputTokens: (candidatesTokenCount ?? 0) + (thoughtsTokenCount ?? 0),
            cacheReadTokens: cached)
    }

    /// The other way, for answers the gateway writes: every input token is a prompt token, cached ones included.
    public init(_ usage: Usage) {
        let prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens
        promptTokenCount = prompt
        candidatesTokenCount = usage.outputTokens
        totalTokenCount = prompt + usage.outputTokens
        cachedContentTokenCount = usage.cacheReadTokens > 0 ? usage.cacheReadTokens : nil
    }
}

public enum GeminiStopReason {
    /// Gemini says STOP for a turn that ends in function calls too, so the caller tells whether it saw one.
    public static func canonical(_ finishReason: String?, sawFunctionCall: Bool) -> StopReason {
        switch finishReason {
        case "MAX_TOKENS": .maxTokens
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT",
            "IMAGE_RECITATION", "PROMPT_BLOCKED":
            .contentFiltered
        case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL": .malformedToolUse
        default: sawFunctionCall ? .toolUse : .endTurn
        }
    }

    /// A canonical stop reason as Gemini's `finishReason`; a turn ending in tool use is STOP, as Gemini says it.
    public static func finishReason(_ reason: StopReason) -> String {
        switch reason {
        case .maxTokens, .contextWindowExceeded: "MAX_TOKENS"
        case .contentFiltered, .guardrailIntervened: "SAFETY"
        case .malformedToolUse: "MALFORMED_FUNCTION_CALL"
        default: "STOP"
        }
    }
}

extension GeminiResponse {
    /// The answer in the canonical model. Gemini function calls carry no ids; they get `GeminiToolIDs` ones, unique
    /// in `history`.
    public func chatResponse(history: [Message], latencyMs: Int) -> ChatResponse {
        var ids = GeminiToolIDs(history: history)
        var content: [ContentPart] = []
        var sawFunctionCall = false
        for part in parts {
            if part.isThought {
                let text = part.text ?? ""
                let signature = part.thoughtSignature.flatMap { $0.isEmpty ? nil : $0 }
                // Thought parts up to the signed one are one reasoning block, as in a stream.
                if case .reasoning(.text(let previous, nil))? = content.last, !previous.isEmpty {
                    content[content.count - 1] = .reasoning(.text(previous + text, signature: signature))
                } else if !text.isEmpty || signature != nil {
                    content.append(.reasoning(.text(text, signature: signature)))
                }
            } else if let call = part.functionCall {
                if let signature = part.thoughtSignature, !signature.isEmpty {
                    content.append(.reasoning(.text("", signature: signature)))
                }
                sawFunctionCall = true
                let name = call.name ?? ""
                content.append(.toolUse(ToolUse(id: ids.make(for: name), name: name, input: call.args ?? .object([:]))))
            } else if let text = part.text, !text.isEmpty {
                // Gemini does not check signatures on text parts; keeping them would put an empty reasoning block
                // in front of every plain answer.
                if case .text(let previous)? = content.last {
                    content[content.count - 1] = .text(previous + text)
                } else {
                    content.append(.text(text))
                }
            }
        }
        return ChatResponse(
            content: content,
            stopReason: GeminiStopReason.canonical(finishReason, sawFunctionCall: sawFunctionCall),
            usage: usageMetadata?.canonical ?? Usage(),
            latencyMs: latencyMs)
    }

    /// A canonical answer as Gemini writes one (batch lines in Gemini's form): text, thoughts with their
    /// signatures, and function calls; other blocks have no Gemini part.
    public init(_ response: ChatResponse, model: String) {
        var parts: [GeminiPart] = []
        for part in response.content {
            switch part {
            case .text(let text): parts.append(GeminiPart(text: text))
            case .reasoning(.text(let text, let signature)): parts.append(GeminiPart(text: text, thought: true, thoughtSignature: signature))
            case .toolUse(let use): parts.append(GeminiPart(functionCall: GeminiPart.FunctionCall(name: use.name, args: use.input)))
            default: continue
            }
        }
        candidates = [
            Candidate(
                content: Content(role: "model", parts: parts), finishReason: GeminiStopReason.finishReason(response.stopReason), index: 0)
        ]
        usageMetadata = GeminiUsage(response.usage)
        modelVersion = model
    }
}
