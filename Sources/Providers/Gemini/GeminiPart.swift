import SwitchyardModel

/// One `Part` of a Gemini answer; parts of kinds the gateway does not translate (inline data, executable code)
/// decode with every field nil and are skipped.
struct GeminiPart: Decodable, Sendable {
    struct FunctionCall: Decodable, Sendable {
        var name: String?
        var args: JSONValue?
    }

    var text: String?
    /// Set on parts that are the model's thinking rather than its answer.
    var thought: Bool?
    var thoughtSignature: String?
    var functionCall: FunctionCall?

    var isThought: Bool { thought == true }
}
