import SwitchyardModel

/// `{"name", "description", "input_schema", "cache_control"}`; Anthropic's server tools (`type: bash_…`) have no
/// canonical form.
struct AnthropicWireTool: Decodable {
    let value: ToolSpec

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        if let type = try c.decodeIfPresent(String.self, forKey: "type"), type != "custom" {
            throw c.unsupported("type", "the Anthropic server tool '\(type)'")
        }
        try c.require("input_schema")
        value = ToolSpec(
            name: try c.nonEmptyString("name"),
            description: try c.decodeIfPresent(String.self, forKey: "description"),
            inputSchema: try c.decode(JSONValue.self, forKey: "input_schema"),
            cachePoint: try c.cacheControl("cache_control"))
    }
}
