import Foundation

public enum Role: String, Sendable, Hashable {
    case user
    case assistant
}

/// One block of a message. Cache points mark "everything up to here may be cached".
public enum ContentPart: Sendable, Hashable {
    case text(String)
    case image(ImagePart)
    case document(DocumentPart)
    case toolUse(ToolUse)
    case toolResult(ToolResult)
    case reasoning(Reasoning)
    case cachePoint(CachePoint)
}

public struct CachePoint: Sendable, Hashable {
    /// "5m" or "1h"; nil means the provider's default.
    public var ttl: String?
    public init(ttl: String? = nil) { self.ttl = ttl }
}

public enum ImageFormat: String, Sendable, Hashable, CaseIterable {
    case png, jpeg, gif, webp

    public var mediaType: String { "image/\(rawValue)" }
}

public struct ImagePart: Sendable, Hashable {
    public var format: ImageFormat
    public var data: Data
    public init(format: ImageFormat, data: Data) {
        self.format = format
        self.data = data
    }
}

public enum DocumentFormat: String, Sendable, Hashable, CaseIterable {
    case pdf, csv, doc, docx, xls, xlsx, html, txt, md

    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .csv: "text/csv"
        case .doc: "application/msword"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xls: "application/vnd.ms-excel"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .html: "text/html"
        case .txt: "text/plain"
        case .md: "text/markdown"
        }
    }

    /// Formats whose bytes are text a model can read inline.
    public var isText: Bool {
        switch self {
        case .csv, .html, .txt, .md: true
        default: false
        }
    }
}

public struct DocumentPart: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        case bytes(Data)
        case text(String)
    }

    public var format: DocumentFormat
    public var name: String
    public var source: Source

    public init(format: DocumentFormat, name: String, source: Source) {
        self.format = format
        self.name = name
        self.source = source
    }

    /// The document as text, when its format is textual.
    public var text: String? {
        switch source {
        case .text(let t): return t
        case .bytes(let d): return format.isText ? String(decoding: d, as: UTF8.self) : nil
        }
    }
}

public struct ToolUse: Sendable, Hashable {
    public var id: String
    public var name: String
    public var input: JSONValue
    public init(id: String, name: String, input: JSONValue) {
        self.id = id
        self.name = name
        self.input = input
    }
}

public struct ToolResult: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        case text(String)
        case json(JSONValue)
        case image(ImagePart)
        case document(DocumentPart)
    }

    public var toolUseId: String
    public var content: [Content]
    public var isError: Bool

    public init(toolUseId: String, content: [Content], isError: Bool) {
        self.toolUseId = toolUseId
        self.content = content
        self.isError = isError
    }
}

public enum Reasoning: Sendable, Hashable {
    case text(String, signature: String?)
    /// Encrypted reasoning the provider wants back verbatim.
    case redacted(Data)
}

public struct Message: Sendable, Hashable {
    public var role: Role
    public var content: [ContentPart]
    public init(role: Role, content: [ContentPart]) {
        self.role = role
        self.content = content
    }
}

extension Array where Element == Message {
    /// Consecutive turns of one role are one canonical message: dialects that send tool results as turns of their own
    /// (OpenAI's `tool` messages) become the user turn every other dialect expects.
    public mutating func appendMerging(_ role: Role, _ content: [ContentPart]) {
        if let last = self.last, last.role == role {
            self[count - 1].content += content
        } else {
            append(Message(role: role, content: content))
        }
    }
}
