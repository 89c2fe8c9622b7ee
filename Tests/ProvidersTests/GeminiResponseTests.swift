import Foundation
import SwitchyardModel
import Testing

@testable import GeminiDialect
@testable import Providers

@Suite struct GeminiResponseTests {
    func decode(_ json: String, history: [Message] = []) throws -> ChatResponse {
        let decoded = try JSONDecoder().decode(GeminiResponse.self, from: Data(json.utf8))
        return GeminiProvider.response(decoded, history: history, latencyMs: 7)
    }

    @Test func thoughtsTextAndFunctionCalls() throws {
        let response = try decode(
            #"""
            {"candidates":[{"content":{"role":"model","parts":[
              {"text":"Two plus ","thought":true},{"text":"two.","thought":true,"thoughtSignature":"c2ln"},
              {"text":"Let me "},{"text":"check."},
              {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"Y2FsbA=="},
              {"functionCall":{"name":"get_weather","args":{"city":"Rome"}}}
            ]},"finishReason":"STOP","index":0}],
            "usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":20,"cachedContentTokenCount":40,"thoughtsTokenCount":5,"totalTokenCount":125},
            "modelVersion":"gemini-2.5-flash"}
            """#)
        #expect(
            response.content == [
                .reasoning(.text("Two plus two.", signature: "c2ln")),
                .text("Let me check."),
                .reasoning(.text("", signature: "Y2FsbA==")),
                .toolUse(ToolUse(id: "get_weather_0", name: "get_weather", input: ["city": "Paris"])),
                .toolUse(ToolUse(id: "get_weather_1", name: "get_weather", input: ["city": "Rome"])),
            ])
        #expect(response.stopReason == .toolUse)
        #expect(response.usage == Usage(inputTokens: 60, outputTokens: 25, cacheReadTokens: 40))
        #expect(response.latencyMs == 7)
    }

    @Test func answerRoundTripsThroughTheNextRequest() throws {
        let response = try decode(
            #"{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"s"}]},"finishReason":"STOP"}]}"#)
        let next = ChatRequest(messages: [
            Message(role: .user, content: [.text("go")]),
            Message(role: .assistant, content: response.content),
            Message(role: .user, content: [.toolResult(ToolResult(toolUseId: "f_0", content: [.text("done")], isError: false))]),
        ])
        let contents = GeminiRequestBuilder.body(next)["contents"]?.arrayValue ?? []
        #expect(contents[1]["parts"] == [["functionCall": ["name": "f", "args": [:]], "thoughtSignature": "s"]])
        #expect(contents[2]["parts"] == [["functionResponse": ["name": "f", "response": ["content": "done"]]]])
    }

    @Test func longNamesStillMakeValidIds() {
        var ids = GeminiToolIDs(history: [])
        let name = String(repeating: "n", count: 64)
        let id = ids.make(for: name)
        #expect(id.count == 64)
        #expect(id.hasSuffix("_0"))
        #expect(ids.make(for: "a.b/c") == "a.b_c_1")
        #expect(GeminiToolIDs.name(fromID: "get_weather_12") == "get_weather")
        #expect(GeminiToolIDs.name(fromID: "tooluse_abc") == "tooluse_abc")
    }

    @Test func idsSkipOnesTheConversationAlreadyUses() {
        let history = [
            Message(role: .assistant, content: [.toolUse(ToolUse(id: "f_1", name: "f", input: [:]))])
        ]
        var ids = GeminiToolIDs(history: history)
        #expect(ids.make(for: "f") == "f_2")
    }

    @Test func blockedPromptHasNoCandidates() throws {
        let response = try decode(#"{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":8}}"#)
        #expect(response.content.isEmpty)
        #expect(response.stopReason == .contentFiltered)
        #expect(response.usage == Usage(inputTokens: 8))
    }

    @Test(arguments: [
        ("STOP", false, StopReason.endTurn), ("STOP", true, .toolUse), ("MAX_TOKENS", false, .maxTokens),
        ("SAFETY", false, .contentFiltered), ("RECITATION", false, .contentFiltered), ("BLOCKLIST", false, .contentFiltered),
        ("PROHIBITED_CONTENT", false, .contentFiltered), ("SPII", false, .contentFiltered),
        ("MALFORMED_FUNCTION_CALL", false, .malformedToolUse), ("OTHER", false, .endTurn),
    ])
    func finishReasons(_ c: (String, Bool, StopReason)) {
        #expect(GeminiStopReason.canonical(c.0, sawFunctionCall: c.1) == c.2)
    }

    @Test func apiKeyErrorsAreAccessDenied() {
        let bad = GatewayError(.validation, "provider 'gemini' answered 400: API key not valid. Please pass a valid API key.", upstreamStatus: 400)
        #expect(GeminiStatus.refine(bad).kind == .accessDenied)
        let other = GatewayError(.validation, "provider 'gemini' answered 400: Invalid value at 'contents'", upstreamStatus: 400)
        #expect(GeminiStatus.refine(other).kind == .validation)
    }
}
