import Foundation
import SwitchyardModel
import Testing

@testable import GeminiDialect
@testable import Providers

@Suite struct GeminiRequestBuilderTests {
    let weather = ToolSpec(
        name: "get_weather", description: "weather",
        inputSchema: [
            "$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "additionalProperties": false,
            "properties": ["city": ["type": "string", "format": "email"], "day": ["type": ["string", "null"]]],
            "required": ["city"],
        ])

    @Test func textSystemInferenceAndImage() {
        let request = ChatRequest(
            system: [.text("Be brief."), .cachePoint(CachePoint()), .text("Answer in English.")],
            messages: [Message(role: .user, content: [.text("Hi"), .image(ImagePart(format: .png, data: Data([1, 2])))])],
            inference: InferenceConfig(maxTokens: 100, temperature: 0.5, topP: 0.9, stopSequences: ["END"]))
        let body = GeminiRequestBuilder.body(request)
        #expect(body["systemInstruction"] == ["parts": [["text": "Be brief."], ["text": "Answer in English."]]])
        #expect(
            body["contents"] == [
                ["role": "user", "parts": [["text": "Hi"], ["inlineData": ["mimeType": "image/png", "data": "AQI="]]]]
            ])
        #expect(
            body["generationConfig"] == [
                "maxOutputTokens": 100, "temperature": 0.5, "topP": 0.9, "stopSequences": ["END"],
            ])
        #expect(body["tools"] == nil)
        #expect(body["toolConfig"] == nil)
        #expect(body["model"] == nil)
    }

    @Test func documentsGoAsInlineData() {
        let request = ChatRequest(messages: [
            Message(
                role: .user,
                content: [
                    .document(DocumentPart(format: .pdf, name: "report", source: .bytes(Data([37, 80])))),
                    .document(DocumentPart(format: .txt, name: "notes", source: .text("milk"))),
                ])
        ])
        let parts = GeminiRequestBuilder.body(request)["contents"]?.arrayValue?.first?["parts"]
        #expect(
            parts == [
                ["inlineData": ["mimeType": "application/pdf", "data": "JVA="]],
                ["inlineData": ["mimeType": "text/plain", "data": "bWlsaw=="]],
            ])
    }

    @Test func toolUseAndResultsMapThroughTheConversation() {
        let request = ChatRequest(
            messages: [
                Message(role: .user, content: [.text("Weather?")]),
                Message(
                    role: .assistant,
                    content: [
                        .text("Checking."),
                        .toolUse(ToolUse(id: "get_weather_0", name: "get_weather", input: ["city": "Paris"])),
                        .toolUse(ToolUse(id: "tooluse_abc", name: "lookup", input: "raw")),
                    ]),
                Message(
                    role: .user,
                    content: [
                        .toolResult(ToolResult(toolUseId: "tooluse_abc", content: [.text("sunny")], isError: false)),
                        .toolResult(ToolResult(toolUseId: "get_weather_0", content: [.json(["temp": 21])], isError: false)),
                        .toolResult(ToolResult(toolUseId: "forecast_7", content: [.text("no data")], isError: true)),
                        .toolResult(
                            ToolResult(
                                toolUseId: "get_weather_0", content: [.json(["a": 1]), .text("b"), .json([1, 2])], isError: false)),
                        .cachePoint(CachePoint()),
                    ]),
            ],
            tools: [weather], toolChoice: .tool("get_weather"))
        let body = GeminiRequestBuilder.body(request)
        let contents = body["contents"]?.arrayValue ?? []
        #expect(contents.map { $0["role"] } == ["user", "model", "user"])
        #expect(
            contents[1]["parts"] == [
                ["text": "Checking."],
                ["functionCall": ["name": "get_weather", "args": ["city": "Paris"]]],
                ["functionCall": ["name": "lookup", "args": ["value": "raw"]]],
            ])
        #expect(
            contents[2]["parts"] == [
                ["functionResponse": ["name": "lookup", "response": ["content": "sunny"]]],
                ["functionResponse": ["name": "get_weather", "response": ["temp": 21]]],
                // A result whose tool use is gone from the history still finds its name in the id.
                ["functionResponse": ["name": "forecast", "response": ["error": "no data"]]],
                ["functionResponse": ["name": "get_weather", "response": ["content": [["a": 1], "b", [1, 2]]]]],
            ])
        #expect(body["toolConfig"] == ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": ["get_weather"]]])
        #expect(
            body["tools"] == [
                [
                    "functionDeclarations": [
                        [
                            "name": "get_weather", "description": "weather",
                            "parameters": [
                                "type": "object",
                                "properties": ["city": ["type": "string"], "day": ["type": "string", "nullable": true]],
                                "required": ["city"],
                            ],
                        ]
                    ]
                ]
            ])
    }

    @Test func toolChoiceModes() {
        #expect(GeminiRequestBuilder.toolConfig(.auto) == ["functionCallingConfig": ["mode": "AUTO"]])
        #expect(GeminiRequestBuilder.toolConfig(.any) == ["functionCallingConfig": ["mode": "ANY"]])
        let noTools = ChatRequest(messages: [Message(role: .user, content: [.text("x")])], toolChoice: .any)
        #expect(GeminiRequestBuilder.body(noTools)["toolConfig"] == nil)
    }

    @Test func reasoningGoesBackAsThoughtsAndSignaturesOnTheirParts() {
        let request = ChatRequest(messages: [
            Message(role: .user, content: [.text("Go")]),
            Message(
                role: .assistant,
                content: [
                    .reasoning(.text("Let me think.", signature: "sig-thought")),
                    .reasoning(.text("", signature: "sig-call")),
                    .toolUse(ToolUse(id: "f_0", name: "f", input: [:])),
                    .reasoning(.redacted(Data([1]))),
                    .toolUse(ToolUse(id: "f_1", name: "f", input: ["x": 1])),
                ]),
        ])
        let parts = GeminiRequestBuilder.body(request)["contents"]?.arrayValue?[1]["parts"]
        #expect(
            parts == [
                ["text": "Let me think.", "thought": true, "thoughtSignature": "sig-thought"],
                ["functionCall": ["name": "f", "args": [:]], "thoughtSignature": "sig-call"],
                ["functionCall": ["name": "f", "args": ["x": 1]]],
            ])
    }

    @Test func thinkingBudgetAndNativeFields() {
        let request = ChatRequest(
            messages: [Message(role: .user, content: [.text("x")])],
            inference: InferenceConfig(maxTokens: 50, temperature: 1),
            additionalFields: [
                "thinking": ["type": "enabled", "budget_tokens": 1024], "top_k": 40, "seed": 7,
                "safetySettings": [["category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"]],
                "generationConfig": ["temperature": 0.2, "responseMimeType": "application/json"],
                "anthropic_beta": ["x"], "reasoning_effort": "low", "tools": [["googleSearch": [:]]],
            ])
        let body = GeminiRequestBuilder.body(request)
        #expect(
            body["generationConfig"] == [
                "maxOutputTokens": 50, "temperature": 0.2, "topK": 40, "seed": 7, "responseMimeType": "application/json",
                "thinkingConfig": ["thinkingBudget": 1024, "includeThoughts": true],
            ])
        #expect(body["safetySettings"] == [["category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"]])
        #expect(body["tools"] == [["googleSearch": [:]]])
        #expect(body["anthropic_beta"] == nil)
        #expect(body["reasoning_effort"] == nil)
        #expect(body["thinking"] == nil)
    }

    @Test func disabledThinkingIsNotSent() {
        let request = ChatRequest(
            messages: [Message(role: .user, content: [.text("x")])], additionalFields: ["thinking": ["type": "disabled"]])
        #expect(GeminiRequestBuilder.body(request)["generationConfig"] == nil)
    }

    @Test func countTokensWrapsTheRequest() {
        let request = ChatRequest(
            system: [.text("sys")], messages: [Message(role: .user, content: [.text("Hi")])],
            inference: InferenceConfig(maxTokens: 5), tools: [weather])
        let body = GeminiRequestBuilder.countTokensBody(request, model: "models/gemini-2.0-flash")
        let inner = body["generateContentRequest"]
        #expect(inner?["model"] == "models/gemini-2.0-flash")
        #expect(inner?["contents"] == [["role": "user", "parts": [["text": "Hi"]]]])
        #expect(inner?["systemInstruction"] == ["parts": [["text": "sys"]]])
        #expect(inner?["tools"]?.arrayValue?.count == 1)
        #expect(inner?["generationConfig"] == nil)
    }

    @Test func embeddingBody() {
        let body = GeminiProvider.embeddingBody(
            EmbeddingRequest(inputs: ["a", "b"], dimensions: 256, purpose: "search_query"), model: "text-embedding-004")
        #expect(
            body["requests"]?.arrayValue?[1] == [
                "model": "models/text-embedding-004", "content": ["parts": [["text": "b"]]], "taskType": "RETRIEVAL_QUERY",
                "outputDimensionality": 256,
            ])
        let plain = GeminiProvider.embeddingBody(EmbeddingRequest(inputs: ["a"], purpose: "whatever"), model: "m")
        #expect(plain["requests"]?.arrayValue?[0] == ["model": "models/m", "content": ["parts": [["text": "a"]]]])
    }

    @Test func embeddingVectorsNormalizedAndCounted() throws {
        let answer = try JSONDecoder().decode(
            GeminiProvider.EmbeddingAnswer.self, from: Data(#"{"embeddings":[{"values":[3,4]},{"values":[0,0]}]}"#.utf8))
        let two = EmbeddingRequest(inputs: ["a", "b"], normalize: true)
        #expect(try GeminiProvider.vectors(answer, for: two, provider: "gemini") == [[0.6, 0.8], [0, 0]])
        var raw = two
        raw.normalize = false
        #expect(try GeminiProvider.vectors(answer, for: raw, provider: "gemini") == [[3, 4], [0, 0]])
        #expect(throws: GatewayError.self) {
            _ = try GeminiProvider.vectors(answer, for: EmbeddingRequest(inputs: ["a"]), provider: "gemini")
        }
    }

    @Test(arguments: [
        ("search_document", "RETRIEVAL_DOCUMENT"), ("search_query", "RETRIEVAL_QUERY"), ("classification", "CLASSIFICATION"),
        ("clustering", "CLUSTERING"), ("SEMANTIC_SIMILARITY", "SEMANTIC_SIMILARITY"),
    ])
    func taskTypes(_ pair: (String, String)) {
        #expect(GeminiProvider.taskTypes[pair.0] == pair.1)
    }

    @Test func urlKeepsTheKeyOut() {
        let provider = GeminiProvider(http: UpstreamHTTP(client: .shared))
        for base in ["https://g.example", "https://g.example/", "https://g.example/v1beta", "https://g.example/v1/"] {
            let target = UpstreamTarget(
                provider: "gemini", model: "models/gemini-2.0-flash", baseURL: base, apiKey: "AIzaSecret",
                timeoutSeconds: 1, streamIdleTimeoutSeconds: 1)
            #expect(
                provider.url(target, "streamGenerateContent", query: "alt=sse")
                    == "https://g.example/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse")
            #expect(provider.headers(target)["x-goog-api-key"] == ["AIzaSecret"])
            #expect(provider.headers(target)["authorization"].isEmpty)
        }
    }
}
