import SwitchyardModel

/// `{"toolUseId", "name", "input": <JSON>}`
struct ConverseWireToolUse: Decodable {
    let value: ToolUse

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let id = try c.nonEmptyString("toolUseId")
        let name = try c.nonEmptyString("name")
        guard c.contains("input") else { throw c.failure("input", "required member is missing") }
        value = ToolUse(id: id, name: name, input: try c.decode(JSONValue.self, forKey: "input"))
    }
}
