import SwitchyardModel

/// `{"reasoningText": {"text", "signature"}} | {"redactedContent": "<base64>"}`
struct ConverseWireReasoning: Decodable {
    let value: Reasoning

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let member = try c.unionMember("reasoningContent")
        switch member.stringValue {
        case "reasoningText":
            let r = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: member)
            value = .text(try r.decode(String.self, forKey: "text"), signature: try r.decodeIfPresent(String.self, forKey: "signature"))
        case "redactedContent":
            value = .redacted(try c.base64(member))
        default:
            throw c.failure(member, "unknown reasoningContent member")
        }
    }
}
