import Foundation
import SwitchyardModel

/// `{"id", "type": "function", "function": {"name", "arguments": "<JSON text>"}}`
struct InvokeMistralChatToolCall: Decodable {
    let value: ToolUse

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let function = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: "function")
        let arguments = try function.decodeIfPresent(String.self, forKey: "arguments") ?? ""
        let input = arguments.isEmpty
            ? JSONValue.object([:])
            : (try? JSONDecoder().decode(JSONValue.self, from: Data(arguments.utf8))) ?? .string(arguments)
        value = ToolUse(id: try c.nonEmptyString("id"), name: try function.nonEmptyString("name"), input: input)
    }
}
