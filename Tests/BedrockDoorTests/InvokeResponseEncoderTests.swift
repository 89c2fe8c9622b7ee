import BedrockDoor
import Foundation
import NIOCore
import SwitchyardModel
import Testing

@Suite struct InvokeResponseEncoderTests {
    static let usage = Usage(inputTokens: 10, outputTokens: 5, cacheReadTokens: 3, cacheWriteTokens: 2)
    static let mixed = ChatResponse(
        content: [
            .reasoning(.text("think", signature: "sig")), .reasoning(.redacted(Data("opaque".utf8))), .text("Hello "),
            .text("world"), .toolUse(ToolUse(id: "t1", name: "f", input: ["a": 1])),
        ],
        stopReason: .toolUse, usage: usage, latencyMs: 42)

    static func encode(_ response: ChatResponse, _ family: InvokeFamily) throws -> [String: Any] {
        try jsonObject(InvokeResponseEncoder.encode(response, family: family, modelId: "the-model"))
    }

    static func text(_ text: String, _ stop: StopReason) -> ChatResponse {
        ChatResponse(content: [.text(text)], stopReason: stop, usage: usage, latencyMs: 1)
    }

    @Test func anthropicMessage() throws {
        let a = try Self.encode(Self.mixed, .anthropic)
        #expect(a.string("id")?.hasPrefix("msg_bdrk_") == true && a.string("id")?.count == 33)
        #expect(a.string("type") == "message" && a.string("role") == "assistant" && a.string("model") == "the-model")
        #expect(a.string("stop_reason") == "tool_use")
        #expect(a["stop_sequence"] is NSNull)
        let content = try #require(a.list("content") as? [[String: Any]])
        #expect(content.map { $0.string("type") } == ["thinking", "redacted_thinking", "text", "text", "tool_use"])
        #expect(content[0].string("thinking") == "think" && content[0].string("signature") == "sig")
        #expect(content[1].string("data") == "opaque")
        #expect(content[3].string("text") == "world")
        #expect(content[4].string("id") == "t1" && content[4].object("input")?.int("a") == 1)
        let u = try #require(a.object("usage"))
        #expect([u.int("input_tokens"), u.int("output_tokens"), u.int("cache_read_input_tokens"), u.int("cache_creation_input_tokens")]
            == [10, 5, 3, 2])
    }

    @Test(arguments: [
        (StopReason.endTurn, "end_turn"), (.maxTokens, "max_tokens"), (.stopSequence, "stop_sequence"),
        (.contentFiltered, "refusal"), (.contextWindowExceeded, "model_context_window_exceeded"), (.malformedToolUse, "end_turn"),
    ])
    func anthropicStopReasons(_ reason: StopReason, _ word: String) throws {
        #expect(try Self.encode(Self.text("x", reason), .anthropic).string("stop_reason") == word)
    }

    @Test func anthropicStopSequenceFromTheProvider() throws {
        var response = Self.text("x", .stopSequence)
        response.additionalFields["stop_sequence"] = "END"
        #expect(try Self.encode(response, .anthropic).string("stop_sequence") == "END")
    }

    @Test func novaMessage() throws {
        let a = try Self.encode(Self.mixed, .nova)
        #expect(a.string("stopReason") == "tool_use")
        let content = try #require(a.object("output")?.object("message")?.list("content") as? [[String: Any]])
        #expect(content[0].object("reasoningContent")?.object("reasoningText")?.string("signature") == "sig")
        #expect(content[2].string("text") == "Hello ")
        #expect(content[4].object("toolUse")?.string("toolUseId") == "t1")
        let u = try #require(a.object("usage"))
        #expect([u.int("inputTokens"), u.int("outputTokens"), u.int("totalTokens"), u.int("cacheReadInputTokenCount"),
                 u.int("cacheWriteInputTokenCount")] == [10, 5, 20, 3, 2])
    }

    @Test func textFamiliesJoinTheTextAndCountAllInput() throws {
        let titan = try Self.encode(Self.mixed, .titanText)
        #expect(titan.int("inputTextTokenCount") == 15)
        let result = try #require((titan.list("results") as? [[String: Any]])?.first)
        #expect(result.string("outputText") == "Hello world" && result.int("tokenCount") == 5)

        let mistral = try #require((try Self.encode(Self.mixed, .mistral).list("outputs") as? [[String: Any]])?.first)
        #expect(mistral.string("text") == "Hello world" && mistral.string("stop_reason") == "tool_calls")

        let llama = try Self.encode(Self.text("Hi", .endTurn), .llama)
        #expect(llama.string("generation") == "Hi" && llama.string("stop_reason") == "stop")
        #expect(llama.int("prompt_token_count") == 15 && llama.int("generation_token_count") == 5)

        let cohere = try Self.encode(Self.text("Hi", .endTurn), .cohere)
        let generation = try #require((cohere.list("generations") as? [[String: Any]])?.first)
        #expect(generation.string("text") == "Hi" && generation.string("finish_reason") == "COMPLETE")

        let cohereChat = try Self.encode(Self.text("Hi", .maxTokens), .cohereChat)
        #expect(cohereChat.string("text") == "Hi" && cohereChat.string("finish_reason") == "MAX_TOKENS")
        #expect(cohereChat.object("meta")?.object("billed_units")?.int("input_tokens") == 15)
    }

    @Test func mistralChatCarriesToolCalls() throws {
        let a = try Self.encode(Self.mixed, .mistralChat)
        let choice = try #require((a.list("choices") as? [[String: Any]])?.first)
        #expect(choice.string("stop_reason") == "tool_calls")
        let message = try #require(choice.object("message"))
        #expect(message.string("content") == "Hello world")
        let call = try #require((message.list("tool_calls") as? [[String: Any]])?.first)
        #expect(call.string("id") == "t1" && call.object("function")?.string("name") == "f")
        #expect(call.object("function")?.string("arguments") == #"{"a":1}"#)
        #expect(a.object("usage")?.int("total_tokens") == 20)
    }

    @Test(arguments: [
        (StopReason.endTurn, "FINISH", "stop", "COMPLETE"), (.maxTokens, "LENGTH", "length", "MAX_TOKENS"),
        (.stopSequence, "STOP_CRITERIA_MET", "stop", "COMPLETE"), (.contentFiltered, "CONTENT_FILTERED", "stop", "ERROR_TOXIC"),
    ])
    func textFamilyStopWords(_ reason: StopReason, _ titan: String, _ llama: String, _ cohere: String) throws {
        let response = Self.text("x", reason)
        #expect(((try Self.encode(response, .titanText).list("results") as? [[String: Any]])?.first?.string("completionReason")) == titan)
        #expect(try Self.encode(response, .llama).string("stop_reason") == llama)
        #expect(((try Self.encode(response, .cohere).list("generations") as? [[String: Any]])?.first?.string("finish_reason")) == cohere)
    }

    @Test func titanEmbedding() throws {
        let answer = EmbeddingResponse(vectors: [[0.5, -0.25, 1]], inputTokens: 4, latencyMs: 3)
        let request = EmbeddingRequest(inputs: ["x"])
        let plain = try jsonObject(InvokeResponseEncoder.encode(answer, request: request, family: .titanEmbedding, byType: false))
        #expect(plain.list("embedding") as? [Double] == [0.5, -0.25, 1])
        #expect(plain.int("inputTextTokenCount") == 4 && plain["embeddingsByType"] == nil)
        let typed = try jsonObject(InvokeResponseEncoder.encode(answer, request: request, family: .titanEmbedding, byType: true))
        #expect(typed.object("embeddingsByType")?.list("float") as? [Double] == [0.5, -0.25, 1])
    }

    @Test func cohereEmbedding() throws {
        let answer = EmbeddingResponse(vectors: [[0.1, 0.2], [0.3, 0.4]], inputTokens: 2, latencyMs: 3)
        let request = EmbeddingRequest(inputs: ["a", "b \"q\""])
        let floats = try jsonObject(InvokeResponseEncoder.encode(answer, request: request, family: .cohereEmbedding, byType: false))
        #expect(floats.string("response_type") == "embeddings_floats")
        #expect(floats.list("texts") as? [String] == ["a", "b \"q\""])
        #expect(floats.list("embeddings") as? [[Double]] == [[0.1, 0.2], [0.3, 0.4]])
        let typed = try jsonObject(InvokeResponseEncoder.encode(answer, request: request, family: .cohereEmbedding, byType: true))
        #expect(typed.string("response_type") == "embeddings_by_type")
        #expect(typed.object("embeddings")?.list("float") as? [[Double]] == [[0.1, 0.2], [0.3, 0.4]])
    }
}
