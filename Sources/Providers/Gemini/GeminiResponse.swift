import SwitchyardModel

/// A `GenerateContentResponse`: the whole answer of `:generateContent`, or one chunk of `:streamGenerateContent`.
struct GeminiResponse: Decodable, Sendable {
    struct Content: Decodable, Sendable {
        var parts: [GeminiPart]?
    }

    struct Candidate: Decodable, Sendable {
        var content: Content?
        var finishReason: String?
    }

    struct PromptFeedback: Decodable, Sendable {
        var blockReason: String?
    }

    /// The error object Gemini writes into a stream that fails after it began.
    struct Failure: Decodable, Sendable {
        var code: Int?
        var message: String?
        var status: String?
    }

    var candidates: [Candidate]?
    var usageMetadata: GeminiUsage?
    var promptFeedback: PromptFeedback?
    var error: Failure?

    var parts: [GeminiPart] { candidates?.first?.content?.parts ?? [] }

    /// The finish reason, or a block of the whole prompt (which comes without any candidate).
    var finishReason: String? {
        if let reason = candidates?.first?.finishReason, !reason.isEmpty, reason != "FINISH_REASON_UNSPECIFIED" {
            return reason
        }
        if let blocked = promptFeedback?.blockReason, !blocked.isEmpty, candidates?.isEmpty ?? true {
            return "PROMPT_BLOCKED"
        }
        return nil
    }
}
