import BedrockDoor
import Foundation
import NIOCore
import SwitchyardModel
import Testing

@testable import AnswerCache

@Suite struct RequestFingerprintTests {
    static let model = "anthropic.claude-3-5-haiku-20241022-v1:0"

    static func key(_ request: ChatRequest, scope: String = "vk:a", provider: String = "anthropic", model: String = "claude-3-5-haiku") -> String {
        RequestFingerprint.exactKey(request, scope: scope, provider: provider, model: model)
    }

    static func converse(_ json: String) throws -> ChatRequest {
        try ConverseRequestDecoder.decode(ByteBuffer(string: json))
    }

    static func invoke(_ json: String) throws -> ChatRequest {
        guard case .chat(let chat, _) = try InvokeRequestDecoder.decode(ByteBuffer(string: json), modelId: model) else {
            Issue.record("not a chat body")
            return ChatRequest(messages: [])
        }
        return chat
    }

    static let converseBody = #"""
        {"system":[{"text":"Answer in one word."}],
         "messages":[{"role":"user","content":[{"text":"Capital of France?"}]}],
         "inferenceConfig":{"maxTokens":64,"temperature":0}}
        """#

    @Test func theSameQuestionThroughConverseAndAnInvokeBodyHasOneKey() throws {
        let anthropic = #"""
            {"anthropic_version":"bedrock-2023-05-31","max_tokens":64,"temperature":0,"system":"Answer in one word.",
             "messages":[{"role":"user","content":"Capital of France?"}]}
            """#
        let converse = try Self.converse(Self.converseBody)
        let invoke = try Self.invoke(anthropic)
        #expect(Self.key(converse) == Self.key(invoke))
    }

    @Test func metadataFallbacksAndCacheControlsAreNotPartOfTheKey() throws {
        let plain = try Self.converse(Self.converseBody)
        var tagged = plain
        tagged.metadata = ["swyd:cache": "no-store", "team": "ml"]
        tagged.fallbacks = ["openai/gpt-4o-mini"]
        #expect(Self.key(plain) == Self.key(tagged))
    }

    @Test func everythingThatShapesTheAnswerChangesTheKey() throws {
        let base = try Self.converse(Self.converseBody)
        let baseKey = Self.key(base)
        var variants: [String: ChatRequest] = [:]
        var v = base
        v.system = [.text("Answer in two words.")]
        variants["system"] = v
        v = base
        v.messages = [Message(role: .user, content: [.text("capital of France?")])]
        variants["case of a letter"] = v
        v = base
        v.messages = [Message(role: .user, content: [.text("Capital of France? ")])]
        variants["trailing space"] = v
        v = base
        v.inference.temperature = 0.7
        variants["temperature"] = v
        v = base
        v.inference.maxTokens = 65
        variants["max tokens"] = v
        v = base
        v.inference.stopSequences = ["."]
        variants["stop sequences"] = v
        v = base
        v.additionalFields = ["top_k": .number(5)]
        variants["provider fields"] = v
        v = base
        v.tools = [ToolSpec(name: "lookup", description: nil, inputSchema: .object(["type": .string("object")]))]
        variants["tools"] = v
        v.toolChoice = .any
        variants["tool choice"] = v
        v = base
        v.messages[0].content.append(.image(ImagePart(format: .png, data: Data([1, 2, 3]))))
        variants["image"] = v
        for (what, request) in variants {
            #expect(Self.key(request) != baseKey, "changing the \(what) must change the key")
        }
        #expect(Self.key(base, model: "claude-3-5-sonnet") != baseKey)
        #expect(Self.key(base, provider: "bedrock") != baseKey)
        #expect(Self.key(base, scope: "vk:b") != baseKey)
    }

    @Test func attachmentsAreKeyedByTheirBytes() {
        func asking(_ bytes: [UInt8]) -> ChatRequest {
            ChatRequest(messages: [Message(role: .user, content: [.text("what is this"), .image(ImagePart(format: .png, data: Data(bytes)))])])
        }
        #expect(Self.key(asking([1, 2, 3])) == Self.key(asking([1, 2, 3])))
        #expect(Self.key(asking([1, 2, 3])) != Self.key(asking([1, 2, 4])))
    }

    @Test func objectMemberOrderDoesNotMatterButValuesDo() {
        func tool(_ schema: JSONValue) -> ChatRequest {
            ChatRequest(messages: [Message(role: .user, content: [.text("x")])], tools: [ToolSpec(name: "t", description: nil, inputSchema: schema)])
        }
        let a = Self.key(tool(.object(["a": .number(1), "b": .string("B")])))
        let b = Self.key(tool(.object(["b": .string("B"), "a": .number(1)])))
        let c = Self.key(tool(.object(["a": .number(1), "b": .string("b")])))
        #expect(a == b)
        #expect(a != c)
    }

    @Test func semanticPartitionsSeparateParametersAndEmbeddingModels() throws {
        let base = try Self.converse(Self.converseBody)
        func partition(_ r: ChatRequest, embedding: String = "openai/e") -> String {
            RequestFingerprint.partition(r, scope: "vk:a", provider: "anthropic", model: "m", embeddingModel: embedding)
        }
        var paraphrase = base
        paraphrase.messages = [Message(role: .user, content: [.text("What's the capital city of France?")])]
        #expect(partition(base) == partition(paraphrase))
        var warmer = base
        warmer.inference.temperature = 1
        #expect(partition(base) != partition(warmer))
        #expect(partition(base) != partition(base, embedding: "openai/other"))
    }
}
