import SwitchyardModel
import Testing

@testable import Providers

@Suite struct GeminiStreamTranslatorTests {
    func run(_ chunks: [String], history: [Message] = []) throws -> [StreamEvent] {
        var translator = GeminiStreamTranslator(provider: "gemini", started: .now, history: history)
        var events: [StreamEvent] = []
        for chunk in chunks { events += try translator.translate(SSEEvent(event: nil, data: chunk)) }
        return events + (try translator.finish())
    }

    @Test func thoughtsTextAndFunctionCallsGetOwnBlocks() throws {
        let events = try run([
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Let me ","thought":true}]}}]}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"think.","thought":true},{"text":"","thought":true,"thoughtSignature":"c2ln"}]}}]}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Checking "}]}}]}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"both."}]}}]}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"Y2FsbA=="},{"functionCall":{"name":"get_weather","args":{"city":"Rome","day":"today"}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":30,"thoughtsTokenCount":12,"cachedContentTokenCount":20,"totalTokenCount":92}}"#,
        ])
        #expect(
            Array(events.dropLast()) == [
                .messageStart(.assistant),
                .blockDelta(index: 0, .reasoningText("Let me ")),
                .blockDelta(index: 0, .reasoningText("think.")),
                .blockDelta(index: 0, .reasoningSignature("c2ln")),
                .blockStop(index: 0),
                .blockDelta(index: 1, .text("Checking ")),
                .blockDelta(index: 1, .text("both.")),
                .blockStop(index: 1),
                .blockDelta(index: 2, .reasoningSignature("Y2FsbA==")),
                .blockStop(index: 2),
                .blockStart(index: 3, .toolUse(id: "get_weather_0", name: "get_weather")),
                .blockDelta(index: 3, .toolInput(#"{"city":"Paris"}"#)),
                .blockStop(index: 3),
                .blockStart(index: 4, .toolUse(id: "get_weather_1", name: "get_weather")),
                .blockDelta(index: 4, .toolInput(#"{"city":"Rome","day":"today"}"#)),
                .blockStop(index: 4),
                .messageStop(.toolUse),
            ])
        guard case .metadata(let usage, _) = events.last else {
            Issue.record("metadata must come last")
            return
        }
        #expect(usage == Usage(inputTokens: 30, outputTokens: 42, cacheReadTokens: 20))
    }

    @Test func toolIdsContinueTheConversationsCount() throws {
        let history = [
            Message(role: .user, content: [.text("x")]),
            Message(role: .assistant, content: [.toolUse(ToolUse(id: "get_weather_0", name: "get_weather", input: [:]))]),
            Message(role: .user, content: [.toolResult(ToolResult(toolUseId: "get_weather_0", content: [], isError: false))]),
        ]
        let events = try run(
            [#"{"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather"}}]},"finishReason":"STOP"}]}"#],
            history: history)
        #expect(events.contains(.blockStart(index: 0, .toolUse(id: "get_weather_1", name: "get_weather"))))
        #expect(events.contains(.blockDelta(index: 0, .toolInput("{}"))))
    }

    @Test func streamWithoutFinishReasonIsAStreamFailure() {
        do {
            _ = try run([#"{"candidates":[{"content":{"parts":[{"text":"Hi"}]}}]}"#])
            Issue.record("expected an error")
        } catch let error as GatewayError {
            #expect(error.kind == .streamFailed)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: GatewayError.self) { _ = try run([]) }
    }

    @Test func usageFromTheLastChunkAndEmptyTextIgnored() throws {
        let events = try run([
            #"{"candidates":[{"content":{"parts":[{"text":"Hi"}]}}],"usageMetadata":{"promptTokenCount":5}}"#,
            #"{"candidates":[{"content":{"parts":[{"text":""}]},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":9}}"#,
        ])
        #expect(
            Array(events.dropLast()) == [
                .messageStart(.assistant), .blockDelta(index: 0, .text("Hi")), .blockStop(index: 0), .messageStop(.maxTokens),
            ])
        guard case .metadata(let usage, _) = events.last else {
            Issue.record("metadata must come last")
            return
        }
        #expect(usage == Usage(inputTokens: 5, outputTokens: 9))
    }

    @Test func blockedPromptEndsTheAnswer() throws {
        let events = try run([#"{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":4}}"#])
        #expect(Array(events.dropLast()) == [.messageStart(.assistant), .messageStop(.contentFiltered)])
    }

    @Test(arguments: [
        ("RESOURCE_EXHAUSTED", 429, GatewayError.Kind.throttled), ("UNAVAILABLE", 503, .unavailable),
        ("INTERNAL", 500, .internalError), ("INVALID_ARGUMENT", 400, .validation),
    ])
    func errorChunkMapsToKind(_ c: (String, Int, GatewayError.Kind)) {
        do {
            _ = try run([
                #"{"candidates":[{"content":{"parts":[{"text":"partial"}]}}]}"#,
                #"{"error":{"code":\#(c.1),"message":"went wrong","status":"\#(c.0)"}}"#,
            ])
            Issue.record("expected an error")
        } catch let error as GatewayError {
            #expect(error.kind == c.2)
            #expect(error.message.contains("went wrong"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func unreadableChunkIsAStreamFailure() {
        #expect(throws: GatewayError.self) { _ = try run(["not json"]) }
    }
}
