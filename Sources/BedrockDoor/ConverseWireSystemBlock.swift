import SwitchyardModel

/// `{"text"} | {"cachePoint"} | {"guardContent"}`
struct ConverseWireSystemBlock: Decodable {
    let value: ContentPart

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let member = try c.unionMember("a system content block")
        switch member.stringValue {
        case "text": value = .text(try c.nonEmptyString(member))
        case "cachePoint": value = .cachePoint(try c.decode(ConverseWireCachePoint.self, forKey: member).value)
        case "guardContent":
            let part = try c.decode(ConverseWireGuardContent.self, forKey: member).value
            guard case .text = part else { throw c.failure(member, "only text guardContent is allowed in system") }
            value = part
        default: throw c.failure(member, "unknown system content block member")
        }
    }
}
