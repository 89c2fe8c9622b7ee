import AnthropicDialect
import Foundation
import SwitchyardModel
import Testing

@Suite struct RequestEncoderTests {
    static let request = ChatRequest(
        system: [.text("Be brief."), .cachePoint(CachePoint())],
        messages: [
            Message(role: .user, content: [.text("Weather?"), .image(ImagePart(format: .png, data: Data([1, 2])))]),
            Message(role: .assistant, content: [.toolUse(ToolUse(id: "t1", name: "get_weather", input: ["city": "Paris"]))]),
            Message(
                role: .user,
                content: [
                    .toolResult(ToolResult(toolUseId: "t1", content: [.json(["temp": 21]), .text("sunny")], isError: true)),
                    .text("thanks"), .cachePoint(CachePoint(ttl: "1h")),
                ]),
        ],
        inference: InferenceConfig(maxTokens: 100, temperature: 0.5, topP: 0.9, stopSequences: ["END"]),
        tools: [ToolSpec(name: "get_weather", description: "weather", inputSchema: ["type": "object"])],
        toolChoice: .any,
        additionalFields: ["thinking": ["type": "enabled", "budget_tokens": 1024], "top_k": 5]
    )

    @Test func messagesBody() {
        let body = AnthropicRequestEncoder.body(Self.request, model: "claude", stream: false)
        #expect(body["system"] == [["type": "text", "text": "Be brief.", "cache_control": ["type": "ephemeral"]]])
        #expect(body["thinking"] == ["type": "enabled", "budget_tokens": 1024])
        #expect(body["top_k"] == 5)
        #expect(body["tool_choice"] == ["type": "any"])
        #expect(body["stop_sequences"] == ["END"])
        #expect(body["stream"] == nil)
        let messages = body["messages"]?.arrayValue ?? []
        let last = messages[2]["content"]?.arrayValue ?? []
        #expect(last[0]["is_error"] == true)
        #expect(last[0]["content"] == [["type": "text", "text": #"{"temp":21}"#], ["type": "text", "text": "sunny"]])
        #expect(last[1] == ["type": "text", "text": "thanks", "cache_control": ["type": "ephemeral", "ttl": "1h"]])
        #expect(messages[1]["content"] == [["type": "tool_use", "id": "t1", "name": "get_weather", "input": ["city": "Paris"]]])
    }

    @Test func maxTokensGrowsWithTheThinkingBudget() {
        var r = Self.request
        r.inference.maxTokens = nil
        #expect(AnthropicRequestEncoder.maxTokens(r) == 1024 + 4096)
        r.additionalFields = [:]
        #expect(AnthropicRequestEncoder.maxTokens(r) == 4096)
    }

    @Test func countTokensBodyHasNoOutputMembers() {
        let body = AnthropicRequestEncoder.countTokensBody(Self.request, model: "claude")
        #expect(Set(body.objectValue?.keys.map { $0 } ?? []) == ["model", "messages", "system", "tools", "tool_choice", "thinking"])
    }

    @Test func betaHeaderJoinsAList() {
        var r = Self.request
        r.additionalFields["anthropic_beta"] = ["a", "b"]
        #expect(AnthropicRequestEncoder.betaHeader(r) == "a,b")
    }
}
