import BedrockDoor
import Foundation
import SwitchyardModel
import Testing

@Suite struct InvokeNovaDecodingTests {
    @Test func converseShapedMembersAndBothInferenceSpellings() throws {
        let body = #"""
            {"schemaVersion":"messages-v1","system":[{"text":"Sys"}],
             "messages":[
              {"role":"user","content":[{"text":"Look"},{"image":{"format":"png","source":{"bytes":"AAEC"}}}]},
              {"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"f","input":{"a":1}}}]},
              {"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"json":{"ok":true}}],"status":"error"}}]}],
             "toolConfig":{"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object"}}}}],"toolChoice":{"any":{}}},
             "inferenceConfig":{"max_new_tokens":50,"temperature":0.2,"top_p":0.8,"top_k":20,"stopSequences":["X"]}}
            """#
        guard case .chat(let chat, .nova) = try InvokeRequestDecoder.decode(Data(body.utf8), modelId: "amazon.nova-lite-v1:0") else {
            Issue.record("not a Nova chat")
            return
        }
        #expect(chat == ChatRequest(
            system: [.text("Sys")],
            messages: [
                Message(role: .user, content: [.text("Look"), .image(ImagePart(format: .png, data: Data([0, 1, 2])))]),
                Message(role: .assistant, content: [.toolUse(ToolUse(id: "t1", name: "f", input: ["a": 1]))]),
                Message(role: .user, content: [.toolResult(ToolResult(toolUseId: "t1", content: [.json(["ok": true])], isError: true))]),
            ],
            inference: InferenceConfig(maxTokens: 50, temperature: 0.2, topP: 0.8, stopSequences: ["X"]),
            tools: [ToolSpec(name: "f", description: nil, inputSchema: ["type": "object"])],
            toolChoice: .any))
    }

    @Test func camelCaseInferenceNames() throws {
        let body = #"{"messages":[{"role":"user","content":[{"text":"Hi"}]}],"inferenceConfig":{"maxTokens":9,"topP":0.5}}"#
        let request = try InvokeRequestDecoder.decode(Data(body.utf8), modelId: "amazon.nova-micro-v1:0")
        guard case .chat(let chat, _) = request else { return }
        #expect(chat.inference == InferenceConfig(maxTokens: 9, topP: 0.5))
    }

    @Test func errorsCarryTheConversePath() {
        let body = #"{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"video":{}}]}]}"#
        let error = #expect(throws: GatewayError.self) { try InvokeRequestDecoder.decode(Data(body.utf8), modelId: "x/y") }
        #expect(error?.message == "messages[0].content[0].video: video content is not supported by the gateway")
    }
}
