import Foundation
import OpenAIDialect
import SwitchyardModel
import Testing

@testable import Providers

@Suite struct RequestBuilderTests {
    let request = ChatRequest(
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

    @Test func openAIBody() throws {
        let body = try OpenAIRequestBuilder.body(request, model: "gpt-4o-mini", stream: true)
        #expect(body["model"] == "gpt-4o-mini")
        #expect(body["max_tokens"] == 100)
        #expect(body["stop"] == ["END"])
        #expect(body["tool_choice"] == "required")
        #expect(body["thinking"] == nil)
        #expect(body["top_k"] == 5)
        #expect(body["stream_options"] == ["include_usage": true])
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.count == 5)
        #expect(messages[0] == ["role": "system", "content": "Be brief."])
        #expect(messages[1]["content"]?.arrayValue?[1]["image_url"]?["url"] == "data:image/png;base64,AQI=")
        #expect(messages[2]["tool_calls"]?.arrayValue?[0]["function"]?["arguments"] == #"{"city":"Paris"}"#)
        #expect(messages[3] == ["role": "tool", "tool_call_id": "t1", "content": "Error: {\"temp\":21}\nsunny"])
        #expect(messages[4] == ["role": "user", "content": "thanks"])
    }

    @Test(arguments: ["stream", "stream_options", "messages", "model", "n"])
    func openAIRefusesFieldsTheGatewaySets(field: String) {
        var request = request
        request.additionalFields = [field: field == "n" ? 3 : true]
        #expect {
            _ = try OpenAIRequestBuilder.body(request, model: "gpt-4o-mini", stream: false)
        } throws: { error in
            let error = error as? GatewayError
            return error?.kind == .validation && error?.message.contains("'\(field)'") == true
        }
    }

    @Test func openAIAcceptsOneChoice() throws {
        var request = request
        request.additionalFields = ["n": 1, "seed": 7]
        let body = try OpenAIRequestBuilder.body(request, model: "gpt-4o-mini", stream: false)
        #expect(body["n"] == nil)
        #expect(body["seed"] == 7)
        #expect(body["stream"] == nil)
    }
}
