import Foundation
import SwitchyardModel
import BedrockDoor
import Testing

@testable import Batch
@testable import GeminiDialect

@Suite struct RecordDecoderTests {
    func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    let translator = BatchRecordTranslator(bedrock: BatchJobRecordCodec())

    /// An OpenAI batch line's body, read as the runner reads it (through the OpenAI dialect).
    func openAI(_ body: JSONValue, url: String) throws -> BatchModelRequest {
        let record = BatchRecord(index: 0, recordId: "r", form: .openai, modelInput: body, url: url)
        return try translator.decode(record, modelId: "job-model", invocationType: nil).request
    }

    @Test func openAIChatBody() throws {
        let body = try json(
            #"""
            {"model": "gpt-4o-mini", "max_tokens": 100, "temperature": 0.2, "stop": "END", "seed": 7,
             "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
                          {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]},
                          {"role": "tool", "tool_call_id": "c1", "content": "42"}],
             "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}], "tool_choice": "required"}
            """#)
        guard case .chat(let chat) = try openAI(body, url: "/v1/chat/completions") else {
            Issue.record("expected a chat request")
            return
        }
        #expect(chat.system == [.text("Be brief.")])
        #expect(chat.messages.map(\.role) == [.user, .assistant, .user])
        #expect(chat.messages[1].content == [.toolUse(ToolUse(id: "c1", name: "f", input: ["a": 1]))])
        #expect(chat.messages[2].content == [.toolResult(ToolResult(toolUseId: "c1", content: [.text("42")], isError: false))])
        #expect(chat.inference.maxTokens == 100 && chat.inference.temperature == 0.2 && chat.inference.stopSequences == ["END"])
        #expect(chat.tools.map(\.name) == ["f"] && chat.toolChoice == .any)
        #expect(chat.additionalFields["seed"] == 7)
    }

    @Test func openAIEmbeddingsBody() throws {
        guard case .embedding(let request) = try openAI(try json(#"{"input": ["a", "b"], "dimensions": 8}"#), url: "/v1/embeddings")
        else {
            Issue.record("expected an embedding request")
            return
        }
        #expect(request.inputs == ["a", "b"] && request.dimensions == 8)
    }

    @Test func geminiRequest() throws {
        let chat = try GeminiBatchRecord.decode(
            try json(
                #"""
                {"contents": [{"role": "user", "parts": [{"text": "What is 2 + 2?"}]},
                              {"role": "model", "parts": [{"functionCall": {"name": "add", "args": {"a": 2}}}]},
                              {"role": "user", "parts": [{"functionResponse": {"name": "add", "response": {"sum": 4}}}]}],
                 "systemInstruction": {"parts": [{"text": "Be brief."}]},
                 "generationConfig": {"maxOutputTokens": 100, "topK": 3}}
                """#))
        #expect(chat.system == [.text("Be brief.")])
        #expect(chat.inference.maxTokens == 100)
        #expect(chat.additionalFields["generationConfig"] == ["topK": 3])
        #expect(chat.messages[1].content == [.toolUse(ToolUse(id: "add_0", name: "add", input: ["a": 2]))])
        #expect(chat.messages[2].content == [.toolResult(ToolResult(toolUseId: "add_0", content: [.json(["sum": 4])], isError: false))])
    }

    @Test func answersInTheInputsOwnShape() throws {
        let response = ChatResponse(content: [.text("4")], stopReason: .maxTokens, usage: Usage(inputTokens: 5, outputTokens: 1), latencyMs: 3)
        let openai = try json(
            String(decoding: try translator.encode(response, shape: "openai:chat", modelId: "m", model: "gpt-4o-mini", recordId: "r1"), as: UTF8.self))
        #expect(openai["object"] == "chat.completion")
        #expect(openai["choices"]?.arrayValue?.first?["finish_reason"] == "length")
        #expect(openai["choices"]?.arrayValue?.first?["message"]?["content"] == "4")
        #expect(openai["usage"]?["total_tokens"] == 6)
        let gemini = try json(
            String(decoding: try translator.encode(response, shape: "gemini", modelId: "m", model: "gemini-2.0-flash", recordId: "r1"), as: UTF8.self))
        #expect(gemini["candidates"]?.arrayValue?.first?["finishReason"] == "MAX_TOKENS")
        #expect(gemini["usageMetadata"]?["candidatesTokenCount"] == 1)
    }

    @Test func outputLinesAreBedrocksForm() throws {
        let ok = try json(BatchOutputLine.success(recordId: "a", modelInput: ["x": 1], modelOutput: Data(#"{"y":2}"#.utf8)))
        #expect(ok == ["recordId": "a", "modelInput": ["x": 1], "modelOutput": ["y": 2]])
        let failed = try json(BatchOutputLine.failure(recordId: "b", modelInput: ["x": 1], code: 429, message: "slow down"))
        #expect(failed["error"] == ["errorCode": 429, "errorMessage": "slow down"])
    }
}
