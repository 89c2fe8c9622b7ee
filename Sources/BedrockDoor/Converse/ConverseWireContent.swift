import SwitchyardModel

/// One ContentBlock union of a message.
struct ConverseWireContentBlock: Decodable {
    let value: ContentPart

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let member = try c.unionMember("a content block")
        switch member.stringValue {
        case "text": value = .text(try c.decode(String.self, forKey: member))
        case "image": value = .image(try c.decode(ConverseWireImage.self, forKey: member).value)
        case "document": value = .document(try c.decode(ConverseWireDocument.self, forKey: member).value)
        case "toolUse": value = .toolUse(try c.decode(ConverseWireToolUse.self, forKey: member).value)
        case "toolResult": value = .toolResult(try c.decode(ConverseWireToolResult.self, forKey: member).value)
        case "reasoningContent": value = .reasoning(try c.decode(ConverseWireReasoning.self, forKey: member).value)
        case "cachePoint": value = .cachePoint(try c.decode(ConverseWireCachePoint.self, forKey: member).value)
        case "guardContent": value = try c.decode(ConverseWireGuardContent.self, forKey: member).value
        case "citationsContent":
            // A replayed assistant turn that carried citations: the model needs its text, not the citations.
            let citations = try c.nestedContainer(keyedBy: WireKey.self, forKey: member)
            let chunks = try citations.decodeIfPresent([ConverseWireTextChunk].self, forKey: "content") ?? []
            value = .text(chunks.map(\.text).joined())
        case "video": throw c.unsupported(member, "video content")
        case "audio": throw c.unsupported(member, "audio content")
        case "searchResult": throw c.unsupported(member, "searchResult content")
        default: throw c.failure(member, "unknown content block member")
        }
    }
}

/// `{"text": "…"}`, the element of a document's `source.content` and of `citationsContent.content`.
struct ConverseWireTextChunk: Decodable {
    let text: String

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let member = try c.unionMember("a text block")
        guard member.stringValue == "text" else { throw c.failure(member, "unknown member, expected 'text'") }
        text = try c.decode(String.self, forKey: member)
    }
}

/// `{"format": "png", "source": {"bytes": "<base64>"}}`
struct ConverseWireImage: Decodable {
    let value: ImagePart

    static let formats = ImageFormat.allCases.map { ($0.rawValue, $0) }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let format = try c.oneOf("format", Self.formats)
        let source = try c.nestedContainer(keyedBy: WireKey.self, forKey: "source")
        let member = try source.unionMember("an image source")
        switch member.stringValue {
        case "bytes": value = ImagePart(format: format, data: try source.base64(member))
        case "s3Location": throw source.unsupported(member, "an S3 image source (send the bytes inline)")
        default: throw source.failure(member, "unknown image source member")
        }
    }
}

/// `{"format": "pdf", "name": "…", "source": {"bytes"} | {"text"} | {"content": [{"text"}]}}`
struct ConverseWireDocument: Decodable {
    let value: DocumentPart

    static let formats = DocumentFormat.allCases.map { ($0.rawValue, $0) }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let name = try c.nonEmptyString("name")
        if name.count > 200 { throw c.failure("name", "must be at most 200 characters") }
        let formatKey: WireKey = "format"
        let format = c.contains(formatKey) ? try c.oneOf(formatKey, Self.formats) : nil

        let source = try c.nestedContainer(keyedBy: WireKey.self, forKey: "source")
        let member = try source.unionMember("a document source")
        let body: DocumentPart.Source
        switch member.stringValue {
        case "bytes": body = .bytes(try source.base64(member))
        case "text": body = .text(try source.decode(String.self, forKey: member))
        case "content":
            // Structured text chunks; the canonical model holds one text, so they are joined.
            let chunks = try source.decode([ConverseWireTextChunk].self, forKey: member)
            body = .text(chunks.map(\.text).joined(separator: "\n"))
        case "s3Location": throw source.unsupported(member, "an S3 document source (send the bytes inline)")
        default: throw source.failure(member, "unknown document source member")
        }

        // AWS accepts a text source without a format; bytes need one to be interpreted.
        guard let resolved = format ?? (body.isText ? .txt : nil) else {
            throw c.failure(formatKey, "required member is missing")
        }
        value = DocumentPart(format: resolved, name: name, source: body)
    }
}

extension DocumentPart.Source {
    fileprivate var isText: Bool {
        if case .text = self { return true }
        return false
    }
}

/// `{"reasoningText": {"text", "signature"}} | {"redactedContent": "<base64>"}`
struct ConverseWireReasoning: Decodable {
    let value: Reasoning

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let member = try c.unionMember("reasoningContent")
        switch member.stringValue {
        case "reasoningText":
            let r = try c.nestedContainer(keyedBy: WireKey.self, forKey: member)
            value = .text(try r.decode(String.self, forKey: "text"), signature: try r.decodeIfPresent(String.self, forKey: "signature"))
        case "redactedContent":
            value = .redacted(try c.base64(member))
        default:
            throw c.failure(member, "unknown reasoningContent member")
        }
    }
}

/// `guardContent` marks content for a guardrail to assess. The gateway applies no guardrails, so the content
/// reaches the model as ordinary text or image.
struct ConverseWireGuardContent: Decodable {
    let value: ContentPart

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let member = try c.unionMember("guardContent")
        switch member.stringValue {
        case "text":
            let t = try c.nestedContainer(keyedBy: WireKey.self, forKey: member)
            value = .text(try t.decode(String.self, forKey: "text"))
        case "image": value = .image(try c.decode(ConverseWireImage.self, forKey: member).value)
        default: throw c.failure(member, "unknown guardContent member")
        }
    }
}

/// `{"type": "default", "ttl": "5m" | "1h"}`
struct ConverseWireCachePoint: Decodable {
    let value: CachePoint

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        _ = try c.oneOf("type", [("default", ())])
        let ttl = c.contains("ttl") ? try c.oneOf("ttl", [("5m", "5m"), ("1h", "1h")]) : nil
        value = CachePoint(ttl: ttl)
    }
}
