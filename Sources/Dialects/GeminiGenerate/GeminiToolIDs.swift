import SwitchyardModel

/// Gemini function calls carry no id, but Converse needs one on every tool use and matches results by it. Ids are
/// `<function name>_<n>`, with `n` counting the tool uses of the conversation so far: stable for one answer, unique
/// within a conversation (a fallback to a provider that checks ids still accepts the history), and a tool result
/// names its function through the tool use of that id earlier in the conversation.
public struct GeminiToolIDs: Sendable {
    /// Converse's limit on a tool use id, whose characters are `[a-zA-Z0-9_.:-]`.
    static let maxLength = 64

    private var used: Set<String>
    private var counter: Int

    public init(history: [Message]) {
        var used: Set<String> = []
        var uses = 0
        for message in history {
            for part in message.content {
                switch part {
                case .toolUse(let use):
                    used.insert(use.id)
                    uses += 1
                case .toolResult(let result):
                    used.insert(result.toolUseId)
                default: continue
                }
            }
        }
        self.used = used
        self.counter = uses
    }

    public mutating func make(for name: String) -> String {
        let safe = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "_.:-".contains($0)) ? $0 : "_" })
        while true {
            let suffix = "_\(counter)"
            counter += 1
            let id = String(safe.prefix(Self.maxLength - suffix.count)) + suffix
            if used.insert(id).inserted { return id }
        }
    }

    /// Tool use id → function name, for every tool use in the conversation.
    public static func names(in messages: [Message]) -> [String: String] {
        var names: [String: String] = [:]
        for message in messages {
            for case .toolUse(let use) in message.content { names[use.id] = use.name }
        }
        return names
    }

    /// The function name for a result whose tool use is no longer in the conversation: the id less its `_<n>`.
    public static func name(fromID id: String) -> String {
        guard let underscore = id.lastIndex(of: "_"), underscore > id.startIndex else { return id }
        let digits = id[id.index(after: underscore)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return id }
        return String(id[..<underscore])
    }
}
