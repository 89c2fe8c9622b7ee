import BedrockDoor
import Foundation
import NIOCore
import SwitchyardModel
import Testing

@Suite struct ConverseResponseEncoderTests {
    @Test func minimalAnswerMatchesTheDocumentedShape() throws {
        let response = ChatResponse(content: [.text("Hello!")], stopReason: .endTurn,
                                    usage: Usage(inputTokens: 12, outputTokens: 7), latencyMs: 321)
        let body = ConverseResponseEncoder.encode(response)
        #expect(String(buffer: body) == #"{"output":{"message":{"role":"assistant","content":[{"text":"Hello!"}]}},"stopReason":"end_turn","usage":{"inputTokens":12,"outputTokens":7,"totalTokens":19},"metrics":{"latencyMs":321}}"#)
    }

    @Test func everyContentKindAndOptionalMember() throws {
        let response = ChatResponse(
            content: [
                .reasoning(.text("think", signature: "sig")),
                .reasoning(.redacted(Data([1, 2, 3]))),
                .text("a \"quoted\" \\ line\nnext 😀"),
                .toolUse(ToolUse(id: "tooluse_1", name: "get_weather",
                                 input: ["city": "Paris", "days": 3, "ratio": 0.25, "ok": true, "none": nil, "list": [1, "x"]])),
                .image(ImagePart(format: .jpeg, data: Data([0xFF, 0xD8]))),
                .document(DocumentPart(format: .txt, name: "n", source: .text("doc"))),
                .toolResult(ToolResult(toolUseId: "t", content: [.text("r"), .json(["k": 1])], isError: true)),
                .cachePoint(CachePoint(ttl: "5m")),
            ],
            stopReason: .toolUse,
            usage: Usage(inputTokens: 10, outputTokens: 5, cacheReadTokens: 3, cacheWriteTokens: 2),
            latencyMs: 42,
            additionalFields: ["stop_sequence": nil, "n": 1]
        )
        let json = try jsonObject(ConverseResponseEncoder.encode(response))
        let message = try #require(json.object("output")?.object("message"))
        #expect(message.string("role") == "assistant")
        let content = try #require(message["content"] as? [[String: Any]])
        #expect(content.count == 8)

        let reasoning = content[0].object("reasoningContent")?.object("reasoningText")
        #expect(reasoning?.string("text") == "think")
        #expect(reasoning?.string("signature") == "sig")
        #expect(content[1].object("reasoningContent")?.string("redactedContent") == "AQID")
        #expect(content[2].string("text") == "a \"quoted\" \\ line\nnext 😀")

        let toolUse = try #require(content[3].object("toolUse"))
        #expect(toolUse.string("toolUseId") == "tooluse_1")
        #expect(toolUse.string("name") == "get_weather")
        let input = try #require(toolUse.object("input"))
        #expect(input.string("city") == "Paris")
        #expect(input.int("days") == 3)
        #expect((input["ratio"] as? NSNumber)?.doubleValue == 0.25)
        #expect(input["ok"] as? Bool == true)
        #expect(input["none"] is NSNull)
        #expect((input["list"] as? [Any])?.count == 2)

        #expect(content[4].object("image")?.string("format") == "jpeg")
        #expect(content[4].object("image")?.object("source")?.string("bytes") == "/9g=")
        #expect(content[5].object("document")?.object("source")?.string("text") == "doc")
        #expect(content[6].object("toolResult")?.string("status") == "error")
        #expect(content[7].object("cachePoint")?.string("ttl") == "5m")

        #expect(json.string("stopReason") == "tool_use")
        let usage = try #require(json.object("usage"))
        #expect(usage.int("inputTokens") == 10)
        #expect(usage.int("outputTokens") == 5)
        #expect(usage.int("totalTokens") == 20)
        #expect(usage.int("cacheReadInputTokens") == 3)
        #expect(usage.int("cacheWriteInputTokens") == 2)
        #expect(json.object("metrics")?.int("latencyMs") == 42)
        let extra = try #require(json.object("additionalModelResponseFields"))
        #expect(extra["stop_sequence"] is NSNull)
        #expect(extra.int("n") == 1)
    }

    @Test func zeroCacheCountsAndEmptyExtrasAreOmitted() throws {
        let json = try jsonObject(ConverseResponseEncoder.encode(
            ChatResponse(content: [], stopReason: .endTurn, usage: Usage(), latencyMs: 0)))
        #expect(json.object("usage")?.keys.sorted() == ["inputTokens", "outputTokens", "totalTokens"])
        #expect(json["additionalModelResponseFields"] == nil)
    }

    @Test(arguments: [
        (StopReason.endTurn, "end_turn"), (.toolUse, "tool_use"), (.maxTokens, "max_tokens"),
        (.stopSequence, "stop_sequence"), (.guardrailIntervened, "guardrail_intervened"),
        (.contentFiltered, "content_filtered"), (.malformedModelOutput, "malformed_model_output"),
        (.malformedToolUse, "malformed_tool_use"), (.contextWindowExceeded, "model_context_window_exceeded"),
    ])
    func stopReasons(_ reason: StopReason, _ wire: String) throws {
        let json = try jsonObject(ConverseResponseEncoder.encode(
            ChatResponse(content: [.text("x")], stopReason: reason, usage: Usage(), latencyMs: 1)))
        #expect(json.string("stopReason") == wire)
    }

    @Test func responseDecodesBackThroughTheRequestDecoder() throws {
        // The output message is a Converse message, so the request decoder reads it back unchanged.
        let content: [ContentPart] = [
            .reasoning(.text("r", signature: "s")), .text("t \u{1}\u{1F}"),
            .toolUse(ToolUse(id: "i", name: "n", input: ["a": [1, 2.5, "x", nil, false]])),
        ]
        let body = ConverseResponseEncoder.encode(ChatResponse(content: content, stopReason: .endTurn, usage: Usage(), latencyMs: 1))
        let output = try #require(jsonObject(body).object("output"))
        let request = try JSONSerialization.data(withJSONObject: ["messages": [output["message"]!]])
        #expect(try ConverseRequestDecoder.decode(request).messages == [Message(role: .assistant, content: content)])
    }
}
