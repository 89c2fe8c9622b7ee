/// What a model reads of a request, measured without writing it: the UTF-8 bytes of system and message text,
/// reasoning, tool-use names and inputs (as JSON), tool results, documents (binary ones by their size), and tool
/// names, descriptions and input schemas (as JSON); images are counted apart, since their cost is not their bytes.
/// The token estimate and the budget's worst-case hold both start from it.
public struct ChatRequestSize: Sendable, Hashable {
    public var bytes = 0
    public var images = 0

    public init(_ request: ChatRequest) {
        for part in request.system { add(part) }
        for message in request.messages {
            for part in message.content { add(part) }
        }
        for tool in request.tools {
            bytes += tool.name.utf8.count + (tool.description?.utf8.count ?? 0) + Self.jsonBytes(tool.inputSchema)
        }
    }

    /// The length of `value` as compact JSON (integers without a fraction), counted without writing it.
    public static func jsonBytes(_ value: JSONValue) -> Int {
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

    private mutating func add(_ part: ContentPart) {
        switch part {
        case .text(let text): bytes += text.utf8.count
        case .image: images += 1
        case .document(let document): add(document)
        case .toolUse(let use): bytes += use.name.utf8.count + Self.jsonBytes(use.input)
        case .toolResult(let result):
            for item in result.content {
                switch item {
                case .text(let text): bytes += text.utf8.count
                case .json(let value): bytes += Self.jsonBytes(value)
                case .image: images += 1
                case .document(let document): add(document)
                }
            }
        case .reasoning(.text(let text, _)): bytes += text.utf8.count
        case .reasoning(.redacted(let data)): bytes += data.count
        case .cachePoint: break
        }
    }

    private mutating func add(_ document: DocumentPart) {
        switch document.source {
        case .text(let text): bytes += text.utf8.count
        case .bytes(let data): bytes += data.count
        }
    }
}
