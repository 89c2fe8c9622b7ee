import SwitchyardModel

/// `:streamGenerateContent` chunks → canonical events. Gemini has no block boundaries and sends every function call
/// whole, so this assigns block indexes: a run of text is one block, a run of thought parts is one reasoning block
/// (closed by its signature), and each function call is one block of one input delta, preceded by a signature-only
/// reasoning block when Gemini signed the call. The stream has no terminator: the chunk with a finish reason ends
/// the answer.
public struct GeminiStreamReader: Sendable {
    private enum Open: Equatable, Sendable {
        case none
        case text(Int)
        case reasoning(Int)
    }

    let provider: String
    private var ids: GeminiToolIDs
    private var sentStart = false
    private var nextIndex = 0
    private var open = Open.none
    private var sawFunctionCall = false
    /// Whether a chunk with a finish reason came: a stream that ends before one was cut short.
    public private(set) var stopped = false
    /// The usage of the latest chunk that had any.
    public private(set) var usage = Usage()

    /// `provider` names the upstream in errors; `history` keeps tool use ids unique in the conversation.
    public init(provider: String, history: [Message]) {
        self.provider = provider
        self.ids = GeminiToolIDs(history: history)
    }

    public mutating func read(_ chunk: GeminiResponse) throws(GatewayError) -> [StreamEvent] {
        if let failure = chunk.error {
            throw GatewayError(
                GeminiStatus.kind(status: failure.status, code: failure.code),
                "provider '\(provider)' failed mid-stream: \(failure.message ?? failure.status ?? "unknown error")")
        }
        var out: [StreamEvent] = []
        if !sentStart {
            sentStart = true
            out.append(.messageStart(.assistant))
        }
        if let usage = chunk.usageMetadata { self.usage = usage.canonical }
        guard !stopped else { return out }
        for part in chunk.parts { read(part, into: &out) }
        if let reason = chunk.finishReason {
            close(into: &out)
            stopped = true
            out.append(.messageStop(GeminiStopReason.canonical(reason, sawFunctionCall: sawFunctionCall)))
        }
        return out
    }

    private mutating func read(_ part: GeminiPart, into out: inout [StreamEvent]) {
        if part.isThought {
            let index: Int
            if case .reasoning(let i) = open {
                index = i
            } else {
                index = begin(into: &out)
                open = .reasoning(index)
            }
            if let text = part.text, !text.isEmpty { out.append(.blockDelta(index: index, .reasoningText(text))) }
            if let signature = part.thoughtSignature, !signature.isEmpty {
                out.append(.blockDelta(index: index, .reasoningSignature(signature)))
                close(into: &out)
            }
        } else if let call = part.functionCall {
            close(into: &out)
            if let signature = part.thoughtSignature, !signature.isEmpty {
                let index = begin(into: &out)
                out.append(.blockDelta(index: index, .reasoningSignature(signature)))
                out.append(.blockStop(index: index))
            }
            sawFunctionCall = true
            let name = call.name ?? ""
            let index = begin(into: &out)
            out.append(.blockStart(index: index, .toolUse(id: ids.make(for: name), name: name)))
            out.append(.blockDelta(index: index, .toolInput((call.args ?? .object([:])).documentText)))
            out.append(.blockStop(index: index))
        } else if let text = part.text, !text.isEmpty {
            // Gemini does not check signatures on text parts; keeping one would split the text around it.
            if case .text(let i) = open {
                out.append(.blockDelta(index: i, .text(text)))
            } else {
                let index = begin(into: &out)
                open = .text(index)
                out.append(.blockDelta(index: index, .text(text)))
            }
        }
    }

    /// Closes whatever is open and hands out the next block index.
    private mutating func begin(into out: inout [StreamEvent]) -> Int {
        close(into: &out)
        defer { nextIndex += 1 }
        return nextIndex
    }

    private mutating func close(into out: inout [StreamEvent]) {
        switch open {
        case .text(let i), .reasoning(let i): out.append(.blockStop(index: i))
        case .none: break
        }
        open = .none
    }
}
