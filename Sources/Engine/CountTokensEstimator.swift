import SwitchyardModel

/// The input-token count for providers without a counting API, the same at every door: about four bytes of UTF-8 per token, which is
/// what BPE tokenizers average on English text and code, plus fixed costs for the structure around the text.
///
/// `ceil(bytes / 4) + 4 per message + 8 per tool + 1600 per image`, where `bytes` counts every text the model
/// reads: system and message text, reasoning, tool-use names and inputs (as JSON), tool results, documents (binary
/// ones by their size), and tool names, descriptions and input schemas (as JSON). An image is counted at 1600,
/// the most one costs at Claude's default resolution, since its size in pixels is not known here.
public enum CountTokensEstimator {
    static let bytesPerToken = 4
    static let perMessage = 4
    static let perTool = 8
    static let perImage = 1600

    public static func estimate(_ request: ChatRequest) -> Int {
        var tally = Tally()
        for part in request.system { tally.add(part) }
        for message in request.messages {
            for part in message.content { tally.add(part) }
        }
        for tool in request.tools {
            tally.bytes += tool.name.utf8.count + (tool.description?.utf8.count ?? 0) + jsonBytes(tool.inputSchema)
        }
        let textTokens = (tally.bytes + bytesPerToken - 1) / bytesPerToken
        return textTokens + perMessage * request.messages.count + perTool * request.tools.count + perImage * tally.images
    }

    /// The length of `value` as compact JSON (integers without a fraction), counted without writing it.
    static func jsonBytes(_ value: JSONValue) -> Int {
        switch value {
        case .null: return 4
        case .bool(let b): return b ? 4 : 5
        case .number(let n):
            if n.rounded() == n, abs(n) < 9.0e15 { return String(Int64(n)).utf8.count }
            return n.isFinite ? n.description.utf8.count : 4
        case .string(let s): return stringBytes(s)
        case .array(let items): return items.reduce(2 + max(items.count - 1, 0)) { $0 + jsonBytes($1) }
        case .object(let members):
            return members.reduce(2 + max(members.count - 1, 0)) { $0 + stringBytes($1.key) + 1 + jsonBytes($1.value) }
        }
    }

    /// Quotes, and the escapes a JSON writer adds: two bytes for quote, backslash and the common controls, six for the rest.
    static func stringBytes(_ s: String) -> Int {
        var count = 2
        for byte in s.utf8 {
            switch byte {
            case 0x22, 0x5C, 0x08, 0x09, 0x0A, 0x0C, 0x0D: count += 2
            case ..<0x20: count += 6
            default: count += 1
            }
        }
        return count
    }

    private struct Tally {
        var bytes = 0
        var images = 0

        mutating func add(_ part: ContentPart) {
            switch part {
            case .text(let text): bytes += text.utf8.count
            case .image: images += 1
            case .document(let document): add(document)
            case .toolUse(let use): bytes += use.name.utf8.count + CountTokensEstimator.jsonBytes(use.input)
            case .toolResult(let result):
                for item in result.content {
                    switch item {
                    case .text(let text): bytes += text.utf8.count
                    case .json(let value): bytes += CountTokensEstimator.jsonBytes(value)
                    case .image: images += 1
                    case .document(let document): add(document)
                    }
                }
            case .reasoning(.text(let text, _)): bytes += text.utf8.count
            case .reasoning(.redacted(let data)): bytes += data.count
            case .cachePoint: break
            }
        }

        mutating func add(_ document: DocumentPart) {
            switch document.source {
            case .text(let text): bytes += text.utf8.count
            case .bytes(let data): bytes += data.count
            }
        }
    }
}
