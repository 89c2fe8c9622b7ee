import SwitchyardModel

/// `{"type": "function", "function": {"name", "description", "parameters"}}`
struct InvokeMistralChatTool: Decodable {
    let value: ToolSpec

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let function = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: "function")
        value = ToolSpec(
            name: try function.nonEmptyString("name"),
            description: try function.decodeIfPresent(String.self, forKey: "description"),
            inputSchema: try function.decodeIfPresent(JSONValue.self, forKey: "parameters") ?? ["type": "object"])
    }
}
