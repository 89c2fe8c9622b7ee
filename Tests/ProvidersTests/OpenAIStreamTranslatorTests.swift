import OpenAIDialect
import SwitchyardModel
import Testing

@testable import Providers

@Suite struct OpenAIStreamTranslatorTests {
    func run(_ chunks: [String]) throws -> [StreamEvent] {
        var translator = OpenAIStreamTranslator(provider: "openai", started: .now)
        var events: [StreamEvent] = []
        for chunk in chunks { events += try translator.translate(SSEEvent(event: nil, data: chunk)) }
        return events + (try translator.finish())
    }

    @Test func textReasoningAndTwoToolCallsGetOwnBlocks() throws {
        let events = try run([
            #"{"choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"hmm"}}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"Hel"}}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"lo"}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"f","arguments":""}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"c2","function":{"name":"g","arguments":"{}"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            #"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4}}}"#,
            "[DONE]",
        ])
        let withoutMetadata = events.dropLast()
        #expect(
            Array(withoutMetadata) == [
                .messageStart(.assistant),
                .blockDelta(index: 0, .reasoningText("hmm")),
                .blockStop(index: 0),
                .blockDelta(index: 1, .text("Hel")),
                .blockDelta(index: 1, .text("lo")),
                .blockStop(index: 1),
                .blockStart(index: 2, .toolUse(id: "c1", name: "f")),
                .blockDelta(index: 2, .toolInput("{\"a\":")),
                .blockStart(index: 3, .toolUse(id: "c2", name: "g")),
                .blockDelta(index: 3, .toolInput("{}")),
                .blockDelta(index: 2, .toolInput("1}")),
                .blockStop(index: 2),
                .blockStop(index: 3),
                .messageStop(.toolUse),
            ])
        guard case .metadata(let usage, _) = events.last else {
            Issue.record("metadata must come last")
            return
        }
        #expect(usage == Usage(inputTokens: 6, outputTokens: 5, cacheReadTokens: 4))
    }

    @Test func streamCutBeforeFinishIsAnError() {
        #expect(throws: GatewayError.self) {
            _ = try run([#"{"choices":[{"index":0,"delta":{"content":"Hi"}}]}"#])
        }
    }

    @Test func doneWithoutFinishReasonEndsTheTurn() throws {
        let events = try run([#"{"choices":[{"index":0,"delta":{"content":"Hi"}}]}"#, "[DONE]"])
        #expect(events.contains(.messageStop(.endTurn)))
        #expect(events.contains(.blockStop(index: 0)))
    }

    @Test func errorChunkMapsToKind() {
        do {
            _ = try run([#"{"error":{"message":"slow down","type":"rate_limit_exceeded"}}"#])
            Issue.record("expected an error")
        } catch let error as GatewayError {
            #expect(error.kind == .throttled)
            #expect(error.message.contains("slow down"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: [("stop", StopReason.endTurn), ("length", .maxTokens), ("content_filter", .contentFiltered), ("tool_calls", .toolUse)])
    func finishReasons(_ pair: (String, StopReason)) {
        #expect(OpenAIStopReason.canonical(pair.0) == pair.1)
    }
}
