import BedrockDoor
import Engine
import Foundation
import NIOCore
import SwitchyardModel
import Testing

@Suite struct CountTokensTests {
    static func decode(_ json: String, modelId: String = "anthropic.claude-3-haiku-20240307-v1:0") throws(GatewayError) -> ChatRequest {
        try CountTokensRequestDecoder.decode(ByteBuffer(string: json), modelId: modelId)
    }

    @Test func converseInput() throws {
        let chat = try Self.decode(#"""
            {"input":{"converse":{"system":[{"text":"Sys"}],"messages":[{"role":"user","content":[{"text":"Hi"}]}],
             "toolConfig":{"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{}}}}]},
             "additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":1024}}}}}
            """#)
        #expect(chat.system == [.text("Sys")])
        #expect(chat.messages == [Message(role: .user, content: [.text("Hi")])])
        #expect(chat.tools.map(\.name) == ["f"])
        #expect(chat.additionalFields["thinking"]?["budget_tokens"] == 1024)
    }

    @Test func invokeModelInputAsBase64AsBoto3SendsIt() throws {
        let body = #"{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}"#
        let chat = try Self.decode(#"{"input":{"invokeModel":{"body":"\#(Data(body.utf8).base64EncodedString())"}}}"#)
        #expect(chat.messages == [Message(role: .user, content: [.text("Hi")])])
    }

    @Test func invokeModelInputAsJSONText() throws {
        let chat = try Self.decode(#"{"input":{"invokeModel":{"body":"{\"inputText\":\"Hello\"}"}}}"#, modelId: "amazon.titan-text-express-v1")
        #expect(chat.messages == [Message(role: .user, content: [.text("Hello")])])
    }

    @Test func embeddingBodiesCountTheirTexts() throws {
        let body = Data(#"{"texts":["a","b"]}"#.utf8).base64EncodedString()
        let chat = try Self.decode(#"{"input":{"invokeModel":{"body":"\#(body)"}}}"#, modelId: "cohere.embed-english-v3")
        #expect(chat.messages == [Message(role: .user, content: [.text("a"), .text("b")])])
    }

    @Test(arguments: [
        ("", "empty"),
        ("{}", "input: required member is missing"),
        (#"{"input":{}}"#, "input must set exactly one member"),
        (#"{"input":{"converse":{"messages":[]},"invokeModel":{"body":"e30="}}}"#, "input must set exactly one member"),
        (#"{"input":{"converse":{"messages":[{"role":"x","content":[{"text":"a"}]}]}}}"#, "input.converse.messages[0].role"),
        (#"{"input":{"invokeModel":{"body":"@@@"}}}"#, "input.invokeModel.body: is neither base64 nor a JSON object"),
        (#"{"input":{"invokeModel":{"body":"{\"foo\":1}"}}}"#, "input.invokeModel.body: messages: required member is missing"),
        (#"{"input":{"invokeModel":{"body":"{\"messages\":[]}"}}}"#, "input.invokeModel.body: messages: must contain at least one message"),
    ])
    func invalidBodies(_ json: String, _ words: String) {
        let error = #expect(throws: GatewayError.self) { try Self.decode(json) }
        #expect(error?.kind == .validation)
        #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
    }

    @Test func estimateFollowsTheDocumentedFormula() {
        let request = ChatRequest(
            system: [.text("12345678")],  // 8 bytes
            messages: [
                Message(role: .user, content: [.text("abcd"), .image(ImagePart(format: .png, data: Data([1])))]),  // 4 bytes, 1 image
                Message(role: .assistant, content: [.toolUse(ToolUse(id: "x", name: "f", input: ["a": 1]))]),  // 1 + 7 bytes
                Message(role: .user, content: [
                    .toolResult(ToolResult(toolUseId: "x", content: [.text("ok"), .json(true)], isError: false)),  // 2 + 4 bytes
                    .document(DocumentPart(format: .pdf, name: "d", source: .bytes(Data(count: 10)))),  // 10 bytes
                    .cachePoint(CachePoint()),
                ]),
            ],
            tools: [ToolSpec(name: "f", description: "desc", inputSchema: ["type": "object"])])  // 1 + 4 + 17 bytes
        // 58 bytes → 15 tokens; 3 messages × 4; 1 tool × 8; 1 image × 1600.
        #expect(CountTokensEstimator.estimate(request) == 15 + 12 + 8 + 1600)
    }

    @Test func estimateOfNothingIsZero() {
        #expect(CountTokensEstimator.estimate(ChatRequest(messages: [])) == 0)
    }
}
