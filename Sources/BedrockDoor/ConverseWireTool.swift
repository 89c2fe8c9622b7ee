import SwitchyardModel

/// One entry of `toolConfig.tools`: a tool specification, or a cache point that applies to the tools before it.
enum ConverseWireTool: Decodable {
    case spec(ToolSpec)
    case cachePoint(CachePoint)

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let member = try c.unionMember("a tool")
        switch member.stringValue {
        case "toolSpec":
            let s = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: member)
            let name = try s.nonEmptyString("name")
            if name.utf8.count > 64 || !name.utf8.allSatisfy(Self.isNameByte) {
                throw s.failure("name", "'\(name)' must be 1 to 64 characters of [a-zA-Z0-9_-]")
            }
            let schema = try s.nestedContainer(keyedBy: ConverseWireKey.self, forKey: "inputSchema")
            let schemaMember = try schema.unionMember("inputSchema")
            guard schemaMember.stringValue == "json" else { throw schema.failure(schemaMember, "unknown inputSchema member") }
            self = .spec(ToolSpec(
                name: name,
                description: try s.decodeIfPresent(String.self, forKey: "description"),
                inputSchema: try schema.decode(JSONValue.self, forKey: schemaMember)))
        case "cachePoint":
            self = .cachePoint(try c.decode(ConverseWireCachePoint.self, forKey: member).value)
        case "systemTool":
            throw c.unsupported(member, "systemTool")
        default:
            throw c.failure(member, "unknown tool member")
        }
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }
}
