import SwitchyardModel

/// `{"type": "auto" | "any" | "tool" | "none", "name"}`; `disable_parallel_tool_use` has no canonical place.
enum AnthropicWireToolChoice: Decodable {
    case choice(ToolChoice)
    /// `none`: the model must not call a tool.
    case never

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let type = try c.decode(String.self, forKey: "type")
        switch type {
        case "auto": self = .choice(.auto)
        case "any": self = .choice(.any)
        case "tool": self = .choice(.tool(try c.nonEmptyString("name")))
        case "none": self = .never
        default: throw c.failure("type", "'\(type)' is not one of auto, any, tool, none")
        }
    }
}
