import AWSWire
@testable import BedrockDoor
import Foundation
import NIOCore
import SwitchyardModel
import Testing

@Suite struct InvokeStreamEncoderTests {
    /// A canonical stream as the Anthropic adapter produces it: thinking, text, a tool call.
    static let events: [StreamEvent] = [
        .messageStart(.assistant),
        .blockDelta(index: 0, .reasoningText("Let me")),
        .blockDelta(index: 0, .reasoningText(" think")),
        .blockDelta(index: 0, .reasoningSignature("sig")),
        .blockStop(index: 0),
        .blockDelta(index: 1, .text("Hel")),
        .blockDelta(index: 1, .text("lo")),
        .blockStop(index: 1),
        .blockStart(index: 2, .toolUse(id: "t1", name: "f")),
        .blockDelta(index: 2, .toolInput("{\"a\":")),
        .blockDelta(index: 2, .toolInput("1}")),
        .blockStop(index: 2),
        .messageStop(.toolUse),
        .metadata(Usage(inputTokens: 12, outputTokens: 7, cacheReadTokens: 5), latencyMs: 300),
    ]

    static func chunks(_ family: InvokeFamily, _ events: [StreamEvent] = events, finish: Bool = true) throws -> [[String: Any]] {
        var encoder = try #require(family.chunkEncoder(modelId: "m"))
        var chunks: [ByteBuffer] = []
        for event in events { encoder.encode(event, into: &chunks) }
        if finish { encoder.finish(into: &chunks) }
        return try chunks.map(jsonObject)
    }

    static func metrics(_ chunk: [String: Any]) -> [Int?] {
        let m = chunk.object("amazon-bedrock-invocationMetrics")
        return [m?.int("inputTokenCount"), m?.int("outputTokenCount")]
    }

    @Test func anthropicEventsStartEveryBlockOnce() throws {
        let c = try Self.chunks(.anthropic)
        #expect(c.map { $0.string("type") } == [
            "message_start",
            "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
            "message_delta", "message_stop",
        ])
        #expect(c[0].object("message")?.string("model") == "m")
        #expect(c[1].object("content_block")?.string("type") == "thinking" && c[1].int("index") == 0)
        #expect(c[2].object("delta")?.string("type") == "thinking_delta")
        #expect(c[4].object("delta")?.string("type") == "signature_delta" && c[4].object("delta")?.string("signature") == "sig")
        #expect(c[6].object("content_block")?.string("type") == "text" && c[6].int("index") == 1)
        #expect(c[7].object("delta")?.string("text") == "Hel")
        let tool = try #require(c[10].object("content_block"))
        #expect(tool.string("type") == "tool_use" && tool.string("id") == "t1" && tool.string("name") == "f" && c[10].int("index") == 2)
        #expect(c[11].object("delta")?.string("partial_json") == "{\"a\":")
        #expect(c[14].object("delta")?.string("stop_reason") == "tool_use")
        #expect(c[14].object("usage")?.int("output_tokens") == 7 && c[14].object("usage")?.int("cache_read_input_tokens") == 5)
        #expect(Self.metrics(c[15]) == [17, 7])
    }

    @Test func anthropicIndexesAreRenumberedAndUnclosedBlocksClosed() throws {
        let c = try Self.chunks(.anthropic, [
            .messageStart(.assistant), .blockDelta(index: 4, .text("a")), .blockDelta(index: 9, .redactedReasoning(Data("r".utf8))),
            .messageStop(.endTurn), .metadata(Usage(), latencyMs: 1),
        ])
        #expect(c.map { $0.string("type") } == [
            "message_start", "content_block_start", "content_block_delta", "content_block_start",
            "content_block_stop", "content_block_stop", "message_delta", "message_stop",
        ])
        #expect(c[1].int("index") == 0 && c[3].int("index") == 1)
        #expect(c[3].object("content_block")?.string("type") == "redacted_thinking" && c[3].object("content_block")?.string("data") == "r")
        #expect(c.filter { $0.string("type") == "content_block_stop" }.map { $0.int("index") } == [0, 1])
    }

    @Test func anthropicStreamCutShortStillEnds() throws {
        let c = try Self.chunks(.anthropic, [.blockDelta(index: 0, .text("a"))])
        #expect(c.map { $0.string("type") } == [
            "message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
        ])
    }

    @Test func novaChunksAreWrappedConverseEvents() throws {
        let c = try Self.chunks(.nova)
        let names = c.map { $0.keys.sorted().first { $0 != "amazon-bedrock-invocationMetrics" } ?? "" }
        #expect(names == [
            "messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta", "contentBlockStop",
            "contentBlockDelta", "contentBlockDelta", "contentBlockStop", "contentBlockStart", "contentBlockDelta",
            "contentBlockDelta", "contentBlockStop", "messageStop", "metadata",
        ])
        #expect(c[1].object("contentBlockDelta")?.object("delta")?.object("reasoningContent")?.string("text") == "Let me")
        #expect(c[5].object("contentBlockDelta")?.object("delta")?.string("text") == "Hel")
        #expect(c[8].object("contentBlockStart")?.object("start")?.object("toolUse")?.string("toolUseId") == "t1")
        #expect(c[9].object("contentBlockDelta")?.object("delta")?.object("toolUse")?.string("input") == "{\"a\":")
        #expect(c[12].object("messageStop")?.string("stopReason") == "tool_use")
        #expect(c[13].object("metadata")?.object("usage")?.int("cacheReadInputTokenCount") == 5)
        #expect(Self.metrics(c[13]) == [17, 7])
    }

    @Test func titanTextChunks() throws {
        let c = try Self.chunks(.titanText)
        #expect(c.map { $0.string("outputText") } == ["Hel", "lo", ""])
        #expect(c[0]["completionReason"] is NSNull && c[0]["totalOutputTextTokenCount"] is NSNull)
        #expect(c[2].string("completionReason") == "FINISH")
        #expect(c[2].int("inputTextTokenCount") == 17 && c[2].int("totalOutputTextTokenCount") == 7)
        #expect(Self.metrics(c[2]) == [17, 7])
    }

    @Test func promptFamilyChunks() throws {
        let mistral = try Self.chunks(.mistral)
        #expect(mistral.compactMap { ($0.list("outputs") as? [[String: Any]])?.first?.string("text") } == ["Hel", "lo", ""])
        #expect((mistral[2].list("outputs") as? [[String: Any]])?.first?.string("stop_reason") == "tool_calls")

        let llama = try Self.chunks(.llama)
        #expect(llama.map { $0.string("generation") } == ["Hel", "lo", ""])
        #expect(llama[2].string("stop_reason") == "stop" && llama[2].int("prompt_token_count") == 17)

        let cohere = try Self.chunks(.cohere)
        #expect(cohere.map { $0["is_finished"] as? Bool } == [false, false, true])
        #expect(cohere[2].string("finish_reason") == "COMPLETE" && Self.metrics(cohere[2]) == [17, 7])

        let cohereChat = try Self.chunks(.cohereChat)
        #expect(cohereChat.map { $0.string("event_type") } == ["text-generation", "text-generation", "stream-end"])
    }

    @Test func mistralChatStreamsWholeToolCalls() throws {
        let c = try Self.chunks(.mistralChat)
        #expect(c.count == 4)
        let messages = c.compactMap { ($0.list("choices") as? [[String: Any]])?.first?.object("message") }
        #expect(messages.map { $0.string("content") } == ["Hel", "lo", "", ""])
        let call = try #require((messages[2].list("tool_calls") as? [[String: Any]])?.first)
        #expect(call.string("id") == "t1" && call.object("function")?.string("arguments") == "{\"a\":1}")
        #expect((c[3].list("choices") as? [[String: Any]])?.first?.string("stop_reason") == "tool_calls")
    }

    @Test func textStreamCutShortGetsItsLastChunk() throws {
        let c = try Self.chunks(.llama, [.messageStart(.assistant), .blockDelta(index: 0, .text("a"))])
        #expect(c.map { $0.string("generation") } == ["a", ""])
        #expect(c[1].string("stop_reason") == "stop")
    }

    @Test func embeddingFamiliesDoNotStream() {
        #expect(InvokeFamily.titanEmbedding.chunkEncoder(modelId: "m") == nil)
        #expect(InvokeFamily.cohereEmbedding.chunkEncoder(modelId: "m") == nil)
    }

    @Test func chunkEventCarriesTheBase64OfTheChunk() throws {
        var chunk = ByteBuffer()
        chunk.writeString(#"{"outputText":"Grüße \"q\" 😀"}"#)
        var wire = ByteBuffer()
        InvokeStreamFrames.writeChunk(chunk, into: &wire)
        var decoder = EventStreamDecoder()
        let m = try #require(try decoder.decode(wire).first)
        #expect(m.eventType == "chunk" && m.messageType == "event" && m.contentType == "application/json")
        let encoded = try #require(try jsonObject(m.payload).string("bytes"))
        let bytes = try #require(Data(base64Encoded: encoded))
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"outputText":"Grüße \"q\" 😀"}"#)
    }

    @Test(arguments: [
        (GatewayError.Kind.validation, "validationException"), (.throttled, "throttlingException"),
        (.unavailable, "serviceUnavailableException"), (.internalError, "internalServerException"),
        (.timeout, "modelTimeoutException"), (.streamFailed, "modelStreamErrorException"),
        (.accessDenied, "modelStreamErrorException"), (.notFound, "modelStreamErrorException"),
    ])
    func exceptionMembersOfResponseStream(_ kind: GatewayError.Kind, _ member: String) throws {
        var wire = ByteBuffer()
        InvokeStreamFrames.writeException(GatewayError(kind, "broke", upstreamStatus: 502), into: &wire)
        var decoder = EventStreamDecoder()
        let m = try #require(try decoder.decode(wire).first)
        #expect(m.exceptionType == member && m.messageType == "exception")
        let payload = try jsonObject(m.payload)
        #expect(payload.string("message") == "broke")
        #expect(payload.int("originalStatusCode") == (member == "modelStreamErrorException" ? 502 : nil))
    }

    @Test func blockIndexerStartsAndStopsEachBlockOnce() {
        var indexer = InvokeBlockIndexer()
        #expect(indexer.start(7) == 0)
        #expect(indexer.start(7) == nil)
        #expect(indexer.start(3) == 1)
        #expect(indexer.openIndex(3) == 1)
        #expect(indexer.stop(7) == 0)
        #expect(indexer.stop(7) == nil)
        #expect(indexer.start(7) == nil)
        #expect(indexer.stopAll() == [1])
        #expect(indexer.openIndex(3) == nil)
    }
}
