import AnthropicDialect
import Foundation
import NIOCore
import SwitchyardModel
import Testing

/// What one direction of the dialect writes, the other reads back unchanged.
@Suite struct RoundTripTests {
    @Test func aRequestEncodedThenDecodedIsTheSameRequest() throws {
        let original = ChatRequest(
            system: [.text("Sys"), .cachePoint(CachePoint(ttl: "1h"))],
            messages: [
                Message(role: .user, content: [.text("Hi"), .image(ImagePart(format: .jpeg, data: Data([9, 8, 7])))]),
                Message(
                    role: .assistant,
                    content: [
                        .reasoning(.text("hmm", signature: "sig")), .reasoning(.redacted(Data("opaque".utf8))),
                        .toolUse(ToolUse(id: "t1", name: "f", input: ["x": 1])),
                    ]),
                Message(role: .user, content: [.toolResult(ToolResult(toolUseId: "t1", content: [.text("done")], isError: true))]),
            ],
            inference: InferenceConfig(maxTokens: 64, temperature: 0.2, topP: 0.8, stopSequences: ["STOP"]),
            tools: [ToolSpec(name: "f", description: "d", inputSchema: ["type": "object"], cachePoint: CachePoint())],
            toolChoice: .tool("f"),
            additionalFields: ["top_k": 4, "thinking": ["type": "enabled", "budget_tokens": 1024]])
        var body = ByteBuffer()
        body.writeString(String(decoding: try JSONEncoder().encode(AnthropicRequestEncoder.body(original, model: "claude", stream: true)), as: UTF8.self))
        let decoded = try AnthropicRequestDecoder.decode(body, form: .messages)
        #expect(decoded.model == "claude" && decoded.stream)
        #expect(decoded.chat == original)
    }

    @Test func anAnswerWrittenThenReadIsTheSameAnswer() throws {
        let original = ChatResponse(
            content: [
                .reasoning(.text("thought", signature: "s1")), .reasoning(.redacted(Data("r".utf8))), .text("Hello \"you\"\n"),
                .toolUse(ToolUse(id: "toolu_1", name: "get", input: ["city": "Oslo", "days": [1, 2]])),
            ],
            stopReason: .toolUse, usage: Usage(inputTokens: 5, outputTokens: 6, cacheReadTokens: 7, cacheWriteTokens: 8), latencyMs: 3)
        var b = ByteBuffer()
        AnthropicResponseWriter.write(original, model: "anthropic/claude", messageId: "msg_1", into: &b)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(b.readableBytesView)) as? [String: Any])
        #expect(object["id"] as? String == "msg_1" && object["type"] as? String == "message" && object["model"] as? String == "anthropic/claude")
        let answer = try JSONDecoder().decode(AnthropicAnswer.self, from: Data(b.readableBytesView))
        #expect(answer.canonical(latencyMs: 3) == original)
    }

    @Test(arguments: [StopReason.endTurn, .toolUse, .maxTokens, .stopSequence, .contentFiltered, .contextWindowExceeded])
    func stopReasonsSurviveTheTrip(_ reason: StopReason) throws {
        var b = ByteBuffer()
        AnthropicResponseWriter.write(
            ChatResponse(content: [.text("x")], stopReason: reason, usage: Usage(), latencyMs: 0), model: "m", messageId: "i", into: &b)
        #expect(try JSONDecoder().decode(AnthropicAnswer.self, from: Data(b.readableBytesView)).canonical(latencyMs: 0).stopReason == reason)
    }

    /// Canonical events → SSE events → canonical events: the same blocks, deltas, stop reason and usage.
    @Test func aStreamEncodedThenDecodedCarriesTheSameEvents() throws {
        let usage = Usage(inputTokens: 12, outputTokens: 4, cacheReadTokens: 2, cacheWriteTokens: 1)
        let events: [StreamEvent] = [
            .messageStart(.assistant),
            .blockDelta(index: 0, .reasoningText("Let me")), .blockDelta(index: 0, .reasoningSignature("sig")), .blockStop(index: 0),
            .blockDelta(index: 1, .text("Hel")), .blockDelta(index: 1, .text("lo")), .blockStop(index: 1),
            .blockStart(index: 2, .toolUse(id: "toolu_1", name: "get")), .blockDelta(index: 2, .toolInput("{\"a\":1}")), .blockStop(index: 2),
            .messageStop(.toolUse), .metadata(usage, latencyMs: 5),
        ]
        var encoder = AnthropicStreamEncoder(model: "m", messageId: "msg_x")
        var chunks: [AnthropicStreamChunk] = []
        for event in events { encoder.encode(event, into: &chunks) }
        #expect(encoder.finished)
        #expect(chunks.map { "\($0.type)" }.first == "message_start")
        #expect(chunks.map { "\($0.type)" }.suffix(2) == ["message_delta", "message_stop"])

        var decoder = AnthropicStreamDecoder(provider: "test", started: .now)
        var decoded: [StreamEvent] = []
        for chunk in chunks { decoded += try decoder.translate(String(buffer: chunk.json)) }
        decoded += try decoder.finish()
        guard case .metadata(let decodedUsage, _) = decoded.last else {
            Issue.record("metadata must come last")
            return
        }
        #expect(decodedUsage == usage)
        #expect(Array(decoded.dropLast()) == Array(events.dropLast()))
    }

    @Test func sseFramingNamesTheEvent() {
        var b = ByteBuffer()
        AnthropicStreamEncoder.error(.overloaded, message: "busy").writeSSE(into: &b)
        #expect(String(buffer: b) == "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}\n\n")
    }

    @Test func anUnfinishedStreamIsClosedOnFinish() {
        var encoder = AnthropicStreamEncoder(model: "m", messageId: "msg_x")
        var chunks: [AnthropicStreamChunk] = []
        encoder.encode(.blockDelta(index: 0, .text("a")), into: &chunks)
        encoder.finish(into: &chunks)
        #expect(chunks.map { "\($0.type)" } == ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"])
    }

    @Test func errorTypesAndStatuses() {
        #expect(AnthropicErrorType.allCases.map(\.status) == [400, 401, 403, 404, 413, 429, 500, 529])
        #expect(AnthropicErrorType.kind(of: "overloaded_error") == .unavailable)
        #expect(AnthropicErrorType.status(of: "something_new") == 500)
    }
}
