import BedrockDoor
import Foundation
import SwitchyardModel
import Testing

@Suite struct InvokeAnthropicDecodingTests {
    static func decode(_ body: String, modelId: String = "anthropic.claude-3-haiku-20240307-v1:0") throws -> ChatRequest {
        guard case .chat(let chat, .anthropic) = try InvokeRequestDecoder.decode(Data(body.utf8), modelId: modelId) else {
            throw NotAnObject()
        }
        return chat
    }

    @Test func everyBlockAndMember() throws {
        let chat = try Self.decode(#"""
            {"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["b1"],"max_tokens":300,"temperature":0.5,
             "top_p":0.9,"top_k":40,"stop_sequences":["END"],"thinking":{"type":"enabled","budget_tokens":1024},
             "system":[{"type":"text","text":"Sys","cache_control":{"type":"ephemeral","ttl":"1h"}}],
             "tools":[{"name":"get_weather","description":"d","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],
             "tool_choice":{"type":"tool","name":"get_weather"},
             "messages":[
              {"role":"user","content":[{"type":"text","text":"Hi"},
                {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AAEC"}},
                {"type":"document","title":"Spec","source":{"type":"base64","media_type":"application/pdf","data":"JVBE"}},
                {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain doc"}}]},
              {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},
                {"type":"redacted_thinking","data":"opaque"},
                {"type":"tool_use","id":"t1","name":"get_weather","input":{"city":"Paris"}}]},
              {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"sunny"}],"is_error":true},
                {"type":"tool_result","tool_use_id":"t2","content":"plain","cache_control":{"type":"ephemeral"}}]}]}
            """#)
        let expected = ChatRequest(
            system: [.text("Sys"), .cachePoint(CachePoint(ttl: "1h"))],
            messages: [
                Message(role: .user, content: [
                    .text("Hi"),
                    .image(ImagePart(format: .jpeg, data: Data([0, 1, 2]))),
                    .document(DocumentPart(format: .pdf, name: "Spec", source: .bytes(Data("%PD".utf8)))),
                    .document(DocumentPart(format: .txt, name: "document", source: .text("plain doc"))),
                ]),
                Message(role: .assistant, content: [
                    .reasoning(.text("hmm", signature: "sig")),
                    .reasoning(.redacted(Data("opaque".utf8))),
                    .toolUse(ToolUse(id: "t1", name: "get_weather", input: ["city": "Paris"])),
                ]),
                Message(role: .user, content: [
                    .toolResult(ToolResult(toolUseId: "t1", content: [.text("sunny")], isError: true)),
                    .toolResult(ToolResult(toolUseId: "t2", content: [.text("plain")], isError: false)),
                    .cachePoint(CachePoint()),
                ]),
            ],
            inference: InferenceConfig(maxTokens: 300, temperature: 0.5, topP: 0.9, stopSequences: ["END"]),
            tools: [ToolSpec(name: "get_weather", description: "d", inputSchema: ["type": "object"], cachePoint: CachePoint())],
            toolChoice: .tool("get_weather"),
            additionalFields: ["top_k": 40, "thinking": ["type": "enabled", "budget_tokens": 1024], "anthropic_beta": ["b1"]])
        #expect(chat == expected)
    }

    @Test func stringContentAndNoOptionalMembers() throws {
        let chat = try Self.decode(#"{"messages":[{"role":"user","content":"Hi"}],"system":"Be brief."}"#)
        #expect(chat == ChatRequest(system: [.text("Be brief.")], messages: [Message(role: .user, content: [.text("Hi")])]))
    }

    @Test func toolChoiceNoneOffersNoTools() throws {
        let chat = try Self.decode(#"""
            {"messages":[{"role":"user","content":"Hi"}],"tool_choice":{"type":"none"},
             "tools":[{"name":"t","input_schema":{"type":"object"}}]}
            """#)
        #expect(chat.tools.isEmpty && chat.toolChoice == nil)
    }

    @Test(arguments: [
        (#"{"messages":[]}"#, "messages: must contain at least one message"),
        (#"{"messages":[{"role":"robot","content":"x"}]}"#, "messages[0].role: 'robot' is not one of user, assistant"),
        (#"{"messages":[{"role":"user","content":[{"type":"audio"}]}]}"#, "messages[0].content[0].type: 'audio' is not a supported"),
        (#"{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"http://x"}}]}]}"#,
         "messages[0].content[0].source.type: an image source of type 'url'"),
        (#"{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"AA=="}}]}]}"#,
         "media_type: 'image/bmp' is not one of"),
        (#"{"messages":[{"role":"user","content":"x"}],"max_tokens":0}"#, "max_tokens: must be an integer"),
        (#"{"messages":[{"role":"user","content":"x"}],"tools":[{"name":"t","input_schema":{}}],"tool_choice":{"type":"tool","name":"u"}}"#,
         "tool_choice.name: 'u' is not the name of a tool"),
        (#"{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"bash_20250124","name":"bash"}]}"#,
         "tools[0].type: the Anthropic server tool 'bash_20250124' is not supported"),
        (#"{"messages":[{"role":"user","content":"x"}],"system":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}}]}"#,
         "system: may hold text blocks only"),
        (#"{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"thinking","thinking":"x"}]}]}]}"#,
         "content: a tool_result may hold text, image and document blocks only"),
    ])
    func invalidBodies(_ body: String, _ message: String) {
        let error = #expect(throws: GatewayError.self) { try Self.decode(body) }
        #expect(error?.kind == .validation)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }
}
