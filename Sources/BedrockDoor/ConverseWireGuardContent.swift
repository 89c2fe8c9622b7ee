import SwitchyardModel

/// `guardContent` marks content for a guardrail to assess. The gateway applies no guardrails, so the content
/// reaches the model as ordinary text or image.
struct ConverseWireGuardContent: Decodable {
    let value: ContentPart

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let member = try c.unionMember("guardContent")
        switch member.stringValue {
        case "text":
            let t = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: member)
            value = .text(try t.decode(String.self, forKey: "text"))
        case "image": value = .image(try c.decode(ConverseWireImage.self, forKey: member).value)
        default: throw c.failure(member, "unknown guardContent member")
        }
    }
}
