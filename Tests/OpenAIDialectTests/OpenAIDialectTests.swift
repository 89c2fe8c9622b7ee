import Foundation
import NIOCore
import OpenAIDialect
import SwitchyardModel
import Testing

@Suite struct OpenAIChatRequestReaderTests {
    func read(_ json: String) throws -> OpenAIChatCall {
        try OpenAIChatRequestReader.read(ByteBuffer(string: json))
    }

    @Test func conversationWithToolsBecomesCanonical() throws {
        let call = try read(
            """
            {"model":"anthropic/claude","stream":true,"stream_options":{"include_usage":true},"max_tokens":50,"temperature":0.5,
             "stop":"END","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Weather?"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"w","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
             {"role":"tool","tool_call_id":"c1","content":"sunny"},{"role":"user","content":"Thanks"}],
             "tools":[{"type":"function","function":{"name":"w","parameters":{"type":"object"}}}],"tool_choice":"required"}
            """)
        #expect(call.model == "anthropic/claude" && call.stream && call.includeUsage)
        #expect(call.chat.system == [.text("Be brief.")])
        #expect(call.chat.inference == InferenceConfig(maxTokens: 50, temperature: 0.5, stopSequences: ["END"]))
        #expect(call.chat.toolChoice == .any && call.chat.tools.map(\.name) == ["w"])
        // The tool result and the next user text are one user turn, as every other dialect needs them.
        #expect(call.chat.messages.map(\.role) == [.user, .assistant, .user])
        #expect(call.chat.messages[1].content == [.toolUse(ToolUse(id: "c1", name: "w", input: ["city": "Oslo"]))])
        #expect(
            call.chat.messages[2].content == [.toolResult(ToolResult(toolUseId: "c1", content: [.text("sunny")], isError: false)), .text("Thanks")])
    }

    @Test func dataURLImagesAreReadAndOtherURLsRefused() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47]).base64EncodedString()
        let call = try read(
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"what?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,\#(png)"}}]}]}"#)
        #expect(call.chat.messages[0].content == [.text("what?"), .image(ImagePart(format: .png, data: Data([0x89, 0x50, 0x4E, 0x47])))])
        #expect(throws: GatewayError.self) {
            try read(#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://x/y.png"}}]}]}"#)
        }
    }

    @Test(arguments: [
        #"{"messages":[{"role":"user","content":"hi"}]}"#, #"{"model":"m"}"#, #"{"model":"m","messages":[]}"#,
        #"{"model":"m","messages":[{"role":"user","content":"hi"}],"n":2}"#, #"{"model":"m","messages":[{"role":"x","content":"hi"}]}"#,
        #"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":9}"#, "[1]", "{",
    ])
    func badRequestsAreValidationErrors(_ json: String) {
        #expect {
            try read(json)
        } throws: { ($0 as? GatewayError)?.kind == .validation }
    }
}

@Suite struct OpenAIChatWritersTests {
    func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test func answerWithToolCallAndCachedTokens() throws {
        let answer = ChatResponse(
            content: [.text("Let me look."), .toolUse(ToolUse(id: "t1", name: "w", input: ["city": "Oslo"]))], stopReason: .toolUse,
            usage: Usage(inputTokens: 10, outputTokens: 5, cacheReadTokens: 4), latencyMs: 3)
        let json = try object(OpenAIChatResponseWriter.write(answer, id: "chatcmpl-1", model: "m", created: 7))
        let choice = try #require((json["choices"] as? [[String: Any]])?.first)
        let message = try #require(choice["message"] as? [String: Any])
        #expect(message["content"] as? String == "Let me look." && choice["finish_reason"] as? String == "tool_calls")
        let call = try #require((message["tool_calls"] as? [[String: Any]])?.first)
        #expect((call["function"] as? [String: Any])?["arguments"] as? String == #"{"city":"Oslo"}"#)
        let usage = try #require(json["usage"] as? [String: Any])
        // OpenAI counts cached tokens inside prompt_tokens.
        #expect(usage["prompt_tokens"] as? Int == 14 && usage["total_tokens"] as? Int == 19)
        #expect((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == 4)
    }

    @Test(arguments: [true, false])
    func chunksNumberToolCallsAndShowUsageOnlyWhenAsked(includeUsage: Bool) throws {
        var writer = OpenAIChunkWriter(id: "c", model: "m", created: 1, includeUsage: includeUsage)
        var out = ByteBuffer()
        let events: [StreamEvent] = [
            .messageStart(.assistant), .blockDelta(index: 0, .text("Hi")), .blockStop(index: 0),
            .blockStart(index: 3, .toolUse(id: "t", name: "w")), .blockDelta(index: 3, .toolInput("{}")), .blockStop(index: 3),
            .messageStop(.toolUse), .metadata(Usage(inputTokens: 2, outputTokens: 1), latencyMs: 1),
        ]
        for event in events { writer.write(event, into: &out) }
        let chunks = try String(buffer: out).split(separator: "\n\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.dropFirst("data: ".count).utf8)) as? [String: Any])
        }
        #expect(chunks.count == (includeUsage ? 6 : 5))
        let toolDelta = try #require(((chunks[2]["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["tool_calls"] as? [[String: Any]])
        #expect(toolDelta.first?["index"] as? Int == 0)
        #expect((chunks[4]["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "tool_calls")
        if includeUsage { #expect((chunks[5]["usage"] as? [String: Any])?["total_tokens"] as? Int == 3) }
    }

    @Test func embeddingsAsBase64AreLittleEndianFloat32() throws {
        let answer = EmbeddingResponse(vectors: [[1.0, -0.5]], inputTokens: 2, latencyMs: 1)
        let json = try object(OpenAIEmbeddingsWire.write(answer, model: "e", base64: true))
        let encoded = try #require(((json["data"] as? [[String: Any]])?.first?["embedding"] as? String))
        let bytes = try #require(Data(base64Encoded: encoded))
        let floats = bytes.withUnsafeBytes { raw in (0..<2).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
        #expect(floats == [1.0, -0.5])
    }

    @Test func errorsHaveOpenAIsShapeAndBudgetsAreNotRetried() throws {
        let budget = OpenAIError(GatewayError(.quotaExceeded, "budget"))
        #expect(budget.status == 429 && budget.code == "insufficient_quota" && !budget.retryable)
        var out = ByteBuffer()
        OpenAIError(GatewayError(.validation, "bad \"x\"")).writeBody(into: &out)
        let error = try #require(try object(out)["error"] as? [String: Any])
        #expect(Set(error.keys) == ["message", "type", "param", "code"] && error["message"] as? String == "bad \"x\"")
    }
}
