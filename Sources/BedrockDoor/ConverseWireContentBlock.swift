import SwitchyardModel

/// One ContentBlock union of a message.
struct ConverseWireContentBlock: Decodable {
    let value: ContentPart

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
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
            let citations = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: member)
            let chunks = try citations.decodeIfPresent([ConverseWireTextChunk].self, forKey: "content") ?? []
            value = .text(chunks.map(\.text).joined())
        case "video": throw c.unsupported(member, "video content")
        case "audio": throw c.unsupported(member, "audio content")
        case "searchResult": throw c.unsupported(member, "searchResult content")
        default: throw c.failure(member, "unknown content block member")
        }
    }
}
