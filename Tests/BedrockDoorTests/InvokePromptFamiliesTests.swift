import BedrockDoor
import Foundation
import SwitchyardModel
import Testing

@Suite struct InvokePromptFamiliesTests {
    static func chat(_ modelId: String, _ body: String) throws -> (ChatRequest, InvokeFamily) {
        guard case .chat(let chat, let family) = try InvokeRequestDecoder.decode(Data(body.utf8), modelId: modelId) else {
            throw NotAnObject()
        }
        return (chat, family)
    }

    static func user(_ text: String) -> Message { Message(role: .user, content: [.text(text)]) }
    static func assistant(_ text: String) -> Message { Message(role: .assistant, content: [.text(text)]) }

    @Test func mistralPrompt() throws {
        let (chat, family) = try Self.chat(
            "mistral.mistral-7b-instruct-v0:2",
            #"{"prompt":"<s>[INST] Hi [/INST] Hello</s>[INST] More [/INST]","max_tokens":50,"temperature":0.7,"top_p":0.9,"top_k":50,"stop":["."]}"#)
        #expect(family == .mistral)
        #expect(chat == ChatRequest(
            messages: [Self.user("Hi"), Self.assistant("Hello"), Self.user("More")],
            inference: InferenceConfig(maxTokens: 50, temperature: 0.7, topP: 0.9, stopSequences: ["."])))
    }

    @Test func llama3Template() throws {
        let prompt = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\\n\\nSys<|eot_id|><|start_header_id|>user<|end_header_id|>\\n\\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\\n\\nHello<|eot_id|><|start_header_id|>user<|end_header_id|>\\n\\nAgain<|eot_id|><|start_header_id|>assistant<|end_header_id|>\\n\\n"
        let (chat, family) = try Self.chat("meta.llama3-8b-instruct-v1:0", #"{"prompt":"\#(prompt)","max_gen_len":64,"temperature":0.1,"top_p":0.5}"#)
        #expect(family == .llama)
        #expect(chat == ChatRequest(
            system: [.text("Sys")], messages: [Self.user("Hi"), Self.assistant("Hello"), Self.user("Again")],
            inference: InferenceConfig(maxTokens: 64, temperature: 0.1, topP: 0.5)))
    }

    @Test func llama2SystemTags() throws {
        let (chat, _) = try Self.chat("meta.llama2-13b-chat-v1", #"{"prompt":"[INST] <<SYS>>\nBe kind.\n<</SYS>>\n\nHello [/INST]"}"#)
        #expect(chat.system == [.text("Be kind.")])
        #expect(chat.messages == [Self.user("Hello")])
    }

    @Test(arguments: ["Tell me a joke.", "[/INST] stray", "<|start_header_id|>assistant<|end_header_id|>\\n\\nOnly me"])
    func promptsWithoutAUserTurnStayAsWritten(_ prompt: String) throws {
        let (chat, _) = try Self.chat("openai/gpt-4o-mini", #"{"prompt":"\#(prompt)"}"#)
        let written = try JSONDecoder().decode(String.self, from: Data("\"\(prompt)\"".utf8))
        #expect(chat.messages == [Self.user(written)])
        #expect(chat.system.isEmpty)
    }

    @Test func cohereCommand() throws {
        let (chat, family) = try Self.chat(
            "cohere.command-text-v14", #"{"prompt":"Hi","max_tokens":20,"temperature":0.3,"p":0.7,"k":5,"stop_sequences":["--"]}"#)
        #expect(family == .cohere)
        #expect(chat == ChatRequest(
            messages: [Self.user("Hi")], inference: InferenceConfig(maxTokens: 20, temperature: 0.3, topP: 0.7, stopSequences: ["--"])))
    }

    @Test func cohereChat() throws {
        let (chat, family) = try Self.chat("cohere.command-r-v1:0", #"""
            {"message":"Now?","preamble":"Pre","max_tokens":9,
             "chat_history":[{"role":"SYSTEM","message":"Extra"},{"role":"USER","message":"Q"},{"role":"CHATBOT","message":"A"}]}
            """#)
        #expect(family == .cohereChat)
        #expect(chat == ChatRequest(
            system: [.text("Pre"), .text("Extra")], messages: [Self.user("Q"), Self.assistant("A"), Self.user("Now?")],
            inference: InferenceConfig(maxTokens: 9)))
    }

    @Test func titanText() throws {
        let (chat, family) = try Self.chat("amazon.titan-text-premier-v1:0", #"""
            {"inputText":"User: hi\nBot:","textGenerationConfig":{"maxTokenCount":30,"temperature":0,"topP":1,"stopSequences":["User:"]}}
            """#)
        #expect(family == .titanText)
        #expect(chat == ChatRequest(
            messages: [Self.user("User: hi\nBot:")],
            inference: InferenceConfig(maxTokens: 30, temperature: 0, topP: 1, stopSequences: ["User:"])))
    }

    @Test func mistralChatWithToolsAndToolMessages() throws {
        let (chat, family) = try Self.chat("mistral.mistral-large-2407", #"""
            {"messages":[{"role":"system","content":"Sys"},{"role":"user","content":"Weather?"},
              {"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"w","arguments":"{\"city\":\"Rome\"}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"sunny"},{"role":"user","content":[{"type":"text","text":"And?"}]}],
             "tools":[{"type":"function","function":{"name":"w","description":"d","parameters":{"type":"object"}}}],
             "tool_choice":{"type":"function","function":{"name":"w"}},"max_tokens":10}
            """#)
        #expect(family == .mistralChat)
        #expect(chat == ChatRequest(
            system: [.text("Sys")],
            messages: [
                Self.user("Weather?"),
                Message(role: .assistant, content: [.toolUse(ToolUse(id: "c1", name: "w", input: ["city": "Rome"]))]),
                Message(role: .user, content: [.toolResult(ToolResult(toolUseId: "c1", content: [.text("sunny")], isError: false)), .text("And?")]),
            ],
            inference: InferenceConfig(maxTokens: 10),
            tools: [ToolSpec(name: "w", description: "d", inputSchema: ["type": "object"])],
            toolChoice: .tool("w")))
    }

    @Test(arguments: [
        ("mistral.mistral-large-2407", #"{"prompt":""}"#, "prompt: must not be empty"),
        ("meta.llama3-8b-instruct-v1:0", #"{"max_gen_len":5}"#, "prompt"),
        ("meta.llama3-2-11b-instruct-v1:0", #"{"prompt":"x","images":["AA=="]}"#, "images: Llama image input is not supported"),
        ("cohere.command-text-v14", #"{"prompt":"x","num_generations":3}"#, "num_generations"),
        ("cohere.command-r-v1:0", #"{"message":"x","documents":[]}"#, "documents"),
        ("cohere.command-r-v1:0", #"{"message":"x","chat_history":[{"role":"BOT","message":"y"}]}"#, "chat_history[0].role"),
        ("amazon.titan-text-express-v1", #"{"inputText":"x","textGenerationConfig":{"stopSequences":[""]}}"#,
         "textGenerationConfig.stopSequences[0]: must not be empty"),
        ("mistral.mistral-large-2407", #"{"messages":[{"role":"critic","content":"x"}]}"#, "messages[0].role: 'critic'"),
        ("mistral.mistral-large-2407", #"{"messages":[{"role":"system","content":"x"}]}"#, "at least one user or assistant message"),
    ])
    func invalidBodies(_ modelId: String, _ body: String, _ words: String) {
        let error = #expect(throws: GatewayError.self) { try InvokeRequestDecoder.decode(Data(body.utf8), modelId: modelId) }
        #expect(error?.kind == .validation)
        #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
    }
}
