import SwitchyardModel

/// `{"tools": [Tool], "toolChoice": ToolChoice}`
struct ConverseWireToolConfig: Decodable {
    let tools: [ToolSpec]
    let toolChoice: ToolChoice?

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let toolsKey: ConverseWireKey = "tools"
        let entries = try c.decode([ConverseWireTool].self, forKey: toolsKey)
        if entries.isEmpty { throw c.failure(toolsKey, "must contain at least one tool") }

        var tools: [ToolSpec] = []
        tools.reserveCapacity(entries.count)
        for (i, entry) in entries.enumerated() {
            switch entry {
            case .spec(let spec):
                if tools.contains(where: { $0.name == spec.name }) {
                    throw ConverseDecodingFailure(
                        c.codingPath + [toolsKey, ConverseWireKey(index: i), ConverseWireKey("toolSpec"), ConverseWireKey("name")],
                        "duplicate tool name '\(spec.name)'")
                }
                tools.append(spec)
            case .cachePoint(let point):
                // The canonical model hangs a tools cache point on the tool it follows.
                guard !tools.isEmpty else {
                    throw ConverseDecodingFailure(
                        c.codingPath + [toolsKey, ConverseWireKey(index: i), ConverseWireKey("cachePoint")],
                        "a cachePoint must follow a toolSpec")
                }
                tools[tools.count - 1].cachePoint = point
            }
        }

        let choiceKey: ConverseWireKey = "toolChoice"
        let choice = try c.decodeIfPresent(ConverseWireToolChoice.self, forKey: choiceKey)?.value
        if case .tool(let name) = choice, !tools.contains(where: { $0.name == name }) {
            throw ConverseDecodingFailure(
                c.codingPath + [choiceKey, ConverseWireKey("tool"), ConverseWireKey("name")],
                "'\(name)' is not the name of a tool in toolConfig.tools")
        }
        self.tools = tools
        self.toolChoice = choice
    }
}
