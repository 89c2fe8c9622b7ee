import SwitchyardModel

/// `{"auto": {}} | {"any": {}} | {"tool": {"name"}}`
struct ConverseWireToolChoice: Decodable {
    let value: ToolChoice

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let member = try c.unionMember("toolChoice")
        switch member.stringValue {
        case "auto": value = .auto
        case "any": value = .any
        case "tool":
            let t = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: member)
            value = .tool(try t.nonEmptyString("name"))
        default: throw c.failure(member, "unknown toolChoice member")
        }
    }
}
