import SwitchyardModel

/// `{"toolUseId", "content": [{"json"} | {"text"} | {"image"} | {"document"}], "status": "success" | "error"}`
struct ConverseWireToolResult: Decodable {
    let value: ToolResult

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let id = try c.nonEmptyString("toolUseId")
        let content = try c.decode([ConverseWireToolResultContent].self, forKey: "content").map(\.value)
        let isError = c.contains("status") ? try c.oneOf("status", [("success", false), ("error", true)]) : false
        value = ToolResult(toolUseId: id, content: content, isError: isError)
    }
}
