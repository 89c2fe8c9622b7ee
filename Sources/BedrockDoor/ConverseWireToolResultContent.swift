import SwitchyardModel

struct ConverseWireToolResultContent: Decodable {
    let value: ToolResult.Content

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let member = try c.unionMember("a tool result content block")
        switch member.stringValue {
        case "text": value = .text(try c.decode(String.self, forKey: member))
        case "json": value = .json(try c.decode(JSONValue.self, forKey: member))
        case "image": value = .image(try c.decode(ConverseWireImage.self, forKey: member).value)
        case "document": value = .document(try c.decode(ConverseWireDocument.self, forKey: member).value)
        case "video": throw c.unsupported(member, "video content")
        case "searchResult": throw c.unsupported(member, "searchResult content")
        default: throw c.failure(member, "unknown tool result content member")
        }
    }
}
