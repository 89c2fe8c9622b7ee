import SwitchyardModel
import Testing

@testable import Providers

@Suite struct AnthropicStreamTranslatorTests {
    func run(_ events: [(String, String)]) throws -> [StreamEvent] {
        var translator = AnthropicStreamTranslator(provider: "anthropic", started: .now)
        var out: [StreamEvent] = []
        for (name, data) in events { out += try translator.translate(SSEEvent(event: name, data: data)) }
        return out + (try translator.finish())
    }

    @Test func thinkingTextAndToolUse() throws {
        let events = try run([
            ("message_start", #"{"type":"message_start","message":{"id":"m","usage":{"input_tokens":20,"cache_read_input_tokens":7,"cache_creation_input_tokens":3,"output_tokens":1}}}"#),
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me"}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("ping", #"{"type":"ping"}"#),
            ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get","input":{}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"c\":1}"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ])
        #expect(
            Array(events.dropLast()) == [
                .messageStart(.assistant),
                .blockDelta(index: 0, .reasoningText("Let me")),
                .blockDelta(index: 0, .reasoningSignature("sig")),
                .blockStop(index: 0),
                .blockStart(index: 1, .toolUse(id: "toolu_1", name: "get")),
                .blockDelta(index: 1, .toolInput("{\"c\":1}")),
                .blockStop(index: 1),
                .messageStop(.toolUse),
            ])
        guard case .metadata(let usage, _) = events.last else {
            Issue.record("metadata must come last")
            return
        }
        #expect(usage == Usage(inputTokens: 20, outputTokens: 9, cacheReadTokens: 7, cacheWriteTokens: 3))
    }

    @Test func overloadedErrorEventIsUnavailable() {
        do {
            _ = try run([
                ("message_start", #"{"type":"message_start","message":{"usage":{"input_tokens":1}}}"#),
                ("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
            ])
            Issue.record("expected an error")
        } catch let error as GatewayError {
            #expect(error.kind == .unavailable)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func missingMessageStopIsAnError() {
        #expect(throws: GatewayError.self) {
            _ = try run([("message_start", #"{"type":"message_start","message":{"usage":{"input_tokens":1}}}"#)])
        }
    }
}
