import SwitchyardModel

/// `{"tools": [Tool], "toolChoice": ToolChoice}`
struct ConverseWireToolConfig: Decodable {
    let tools: [ToolSpec]
    let toolChoice: ToolChoice?

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let toolsKey: WireKey = "tools"
        let entries = try c.decode([ConverseWireTool].self, forKey: toolsKey)
        if entries.isEmpty { throw c.failure(toolsKey, "must contain at least one tool") }

        var tools: [ToolSpec] = []
        tools.reserveCapacity(entries.count)
        for (i, entry) in entries.enumerated() {
            switch entry {
            case .spec(let spec):
                if tools.contains(where: { $0.name == spec.name }) {
                    throw WireDecodingFailure(
                        c.codingPath + [toolsKey, WireKey(index: i), WireKey("toolSpec"), WireKey("name")],
                        "duplicate tool name '\(spec.name)'")
                }
                tools.append(spec)
            case .cachePoint(let point):
                // The canonical model hangs a tools cache point on the tool it follows.
                guard !tools.isEmpty else {
                    throw WireDecodingFailure(
                        c.codingPath + [toolsKey, WireKey(index: i), WireKey("cachePoint")],
                        "a cachePoint must follow a toolSpec")
                }
                tools[tools.count - 1].cachePoint = point
            }
        }

        let choiceKey: WireKey = "toolChoice"
        let choice = try c.decodeIfPresent(ConverseWireToolChoice.self, forKey: choiceKey)?.value
        if case .tool(let name) = choice, !tools.contains(where: { $0.name == name }) {
            throw WireDecodingFailure(
                c.codingPath + [choiceKey, WireKey("tool"), WireKey("name")],
                "'\(name)' is not the name of a tool in toolConfig.tools")
        }
        self.tools = tools
        self.toolChoice = choice
    }
}

/// One entry of `toolConfig.tools`: a tool specification, or a cache point that applies to the tools before it.
enum ConverseWireTool: Decodable {
    case spec(ToolSpec)
    case cachePoint(CachePoint)

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let member = try c.unionMember("a tool")
        switch member.stringValue {
        case "toolSpec":
            let s = try c.nestedContainer(keyedBy: WireKey.self, forKey: member)
            let name = try s.nonEmptyString("name")
            if name.utf8.count > 64 || !name.utf8.allSatisfy(Self.isNameByte) {
                throw s.failure("name", "'\(name)' must be 1 to 64 characters of [a-zA-Z0-9_-]")
            }
            let schema = try s.nestedContainer(keyedBy: WireKey.self, forKey: "inputSchema")
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

/// `{"auto": {}} | {"any": {}} | {"tool": {"name"}}`
struct ConverseWireToolChoice: Decodable {
    let value: ToolChoice

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let member = try c.unionMember("toolChoice")
        switch member.stringValue {
        case "auto": value = .auto
        case "any": value = .any
        case "tool":
            let t = try c.nestedContainer(keyedBy: WireKey.self, forKey: member)
            value = .tool(try t.nonEmptyString("name"))
        default: throw c.failure(member, "unknown toolChoice member")
        }
    }
}

/// `{"toolUseId", "name", "input": <JSON>}`
struct ConverseWireToolUse: Decodable {
    let value: ToolUse

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let id = try c.nonEmptyString("toolUseId")
        let name = try c.nonEmptyString("name")
        guard c.contains("input") else { throw c.failure("input", "required member is missing") }
        value = ToolUse(id: id, name: name, input: try c.decode(JSONValue.self, forKey: "input"))
    }
}

/// `{"toolUseId", "content": [{"json"} | {"text"} | {"image"} | {"document"}], "status": "success" | "error"}`
struct ConverseWireToolResult: Decodable {
    let value: ToolResult

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let id = try c.nonEmptyString("toolUseId")
        let content = try c.decode([ConverseWireToolResultContent].self, forKey: "content").map(\.value)
        let isError = c.contains("status") ? try c.oneOf("status", [("success", false), ("error", true)]) : false
        value = ToolResult(toolUseId: id, content: content, isError: isError)
    }
}

struct ConverseWireToolResultContent: Decodable {
    let value: ToolResult.Content

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let member = try c.unionMember("a tool result content block")
        switch member.stringValue {
        case "text": value = .text(try c.decode(String.self, forKey: member))
        case "json": value = .json(try c.decode(JSONValue.self, forKey: member))
        case "image": value = .image(try c.decode(ConverseWireImage.self, forKey: member).value)
        case "document": value = .document(try c.decode(ConverseWireDocument.self, forKey: member).value)
        case "video": throw c.unsupported(member, "video content")
        case "searchResult": throw c.unsupported(member, "searchResult content")
        default: throw c.failure(member, "unknown tool result content member")
        }
    }
}
