import Foundation
import SwitchyardModel

/// One typed content block of a request; `cache_control` on it becomes a cache point right after it.
struct AnthropicWireBlock: Decodable {
    static let types = "text, image, document, tool_use, tool_result, thinking, redacted_thinking"
    let parts: [ContentPart]

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let typeKey: WireKey = "type"
        let type = try c.decode(String.self, forKey: typeKey)
        let part: ContentPart
        switch type {
        case "text":
            part = .text(try c.decode(String.self, forKey: "text"))
        case "image":
            part = .image(try Self.image(c.nestedContainer(keyedBy: WireKey.self, forKey: "source")))
        case "document":
            part = .document(try Self.document(c))
        case "tool_use":
            part = .toolUse(ToolUse(
                id: try c.nonEmptyString("id"), name: try c.nonEmptyString("name"),
                input: try c.decodeIfPresent(JSONValue.self, forKey: "input") ?? .object([:])))
        case "tool_result":
            part = .toolResult(try Self.toolResult(c))
        case "thinking":
            part = .reasoning(.text(
                try c.decode(String.self, forKey: "thinking"), signature: try c.decodeIfPresent(String.self, forKey: "signature")))
        case "redacted_thinking":
            // Anthropic's opaque string; the canonical model holds its bytes, which the request encoder gives back as text.
            part = .reasoning(.redacted(Data(try c.decode(String.self, forKey: "data").utf8)))
        default:
            throw c.failure(typeKey, "'\(type)' is not a supported content block type (\(Self.types))")
        }
        if let point = try c.cacheControl("cache_control") {
            parts = [part, .cachePoint(point)]
        } else {
            parts = [part]
        }
    }

    /// `{"type": "base64", "media_type": "image/png", "data": "…"}`
    static func image(_ source: KeyedDecodingContainer<WireKey>) throws -> ImagePart {
        let kind = try source.decode(String.self, forKey: "type")
        guard kind == "base64" else {
            throw source.unsupported("type", "an image source of type '\(kind)' (send base64 data)")
        }
        let mediaKey: WireKey = "media_type"
        let media = try source.decode(String.self, forKey: mediaKey)
        let name = media.hasPrefix("image/") ? String(media.dropFirst(6)) : media
        guard let format = ImageFormat(rawValue: name == "jpg" ? "jpeg" : name) else {
            throw source.failure(mediaKey, "'\(media)' is not one of image/png, image/jpeg, image/gif, image/webp")
        }
        return ImagePart(format: format, data: try source.base64("data"))
    }

    /// base64 PDF, plain text, or text content blocks; the title names it.
    static func document(_ c: KeyedDecodingContainer<WireKey>) throws -> DocumentPart {
        let name = try c.decodeIfPresent(String.self, forKey: "title") ?? "document"
        let source = try c.nestedContainer(keyedBy: WireKey.self, forKey: "source")
        let kind = try source.decode(String.self, forKey: "type")
        switch kind {
        case "base64":
            let media = try source.decode(String.self, forKey: "media_type")
            let format: DocumentFormat = media == "application/pdf" ? .pdf : .txt
            return DocumentPart(format: format, name: name, source: .bytes(try source.base64("data")))
        case "text":
            return DocumentPart(format: .txt, name: name, source: .text(try source.decode(String.self, forKey: "data")))
        case "content":
            let text = try source.decode(AnthropicWireContent.self, forKey: "content").parts.compactMap { part -> String? in
                if case .text(let t) = part { return t }
                return nil
            }
            return DocumentPart(format: .txt, name: name, source: .text(text.joined(separator: "\n")))
        default:
            throw source.unsupported("type", "a document source of type '\(kind)' (send base64 or text data)")
        }
    }

    /// `{"tool_use_id", "content": "…" | [text | image | document], "is_error"}`
    static func toolResult(_ c: KeyedDecodingContainer<WireKey>) throws -> ToolResult {
        let contentKey: WireKey = "content"
        var content: [ToolResult.Content] = []
        for part in try c.decodeIfPresent(AnthropicWireContent.self, forKey: contentKey)?.parts ?? [] {
            switch part {
            case .text(let text): content.append(.text(text))
            case .image(let image): content.append(.image(image))
            case .document(let document): content.append(.document(document))
            case .cachePoint: continue
            default: throw c.failure(contentKey, "a tool_result may hold text, image and document blocks only")
            }
        }
        return ToolResult(
            toolUseId: try c.nonEmptyString("tool_use_id"), content: content,
            isError: try c.decodeIfPresent(Bool.self, forKey: "is_error") ?? false)
    }
}
