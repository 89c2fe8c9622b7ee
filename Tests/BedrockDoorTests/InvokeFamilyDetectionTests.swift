import BedrockDoor
import Foundation
import SwitchyardModel
import Testing

@Suite struct InvokeFamilyDetectionTests {
    static let anthropicBody = #"{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}"#
    static let novaBody = #"{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"Hi"}]}]}"#
    static let stringMessages = #"{"messages":[{"role":"user","content":"Hi"}]}"#

    static func decode(_ modelId: String, _ body: String) throws(GatewayError) -> InvokeRequest {
        try InvokeRequestDecoder.decode(Data(body.utf8), modelId: modelId)
    }

    @Test(arguments: [
        // Bedrock ids: the vendor decides, whatever the body looks like to the other rules.
        ("anthropic.claude-3-haiku-20240307-v1:0", stringMessages, InvokeFamily.anthropic),
        ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", anthropicBody, .anthropic),
        ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0", anthropicBody, .anthropic),
        ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0", anthropicBody, .anthropic),
        ("bedrock/anthropic.claude-3-haiku-20240307-v1:0", anthropicBody, .anthropic),
        ("eu.amazon.nova-pro-v1:0", #"{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}"#, .nova),
        ("amazon.titan-text-express-v1", #"{"inputText":"Hi"}"#, .titanText),
        ("mistral.mistral-large-2407", #"{"prompt":"Hi"}"#, .mistral),
        ("mistral.mistral-large-2407", stringMessages, .mistralChat),
        ("meta.llama3-8b-instruct-v1:0", #"{"prompt":"Hi"}"#, .llama),
        ("cohere.command-text-v14", #"{"prompt":"Hi"}"#, .cohere),
        ("cohere.command-r-v1:0", #"{"message":"Hi"}"#, .cohereChat),
        // Any other id: the body decides.
        ("openai/gpt-4o-mini", anthropicBody, .anthropic),
        ("openai/gpt-4o-mini", #"{"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}"#, .anthropic),
        ("openai/gpt-4o-mini", stringMessages, .anthropic),
        ("openai/gpt-4o-mini", novaBody, .nova),
        ("openai/gpt-4o-mini", #"{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}"#, .nova),
        ("mistral/mistral-large-latest", stringMessages, .mistralChat),
        ("openai/gpt-4o-mini", #"{"inputText":"Hi"}"#, .titanText),
        ("openai/gpt-4o-mini", #"{"prompt":"Hi"}"#, .mistral),
        ("ollama/llama3.2:1b", #"{"prompt":"Hi"}"#, .llama),
        ("groq/cohere-command", #"{"prompt":"Hi"}"#, .cohere),
        ("openai/gpt-4o-mini", #"{"message":"Hi"}"#, .cohereChat),
        ("openai/gpt-4o-mini", #"{"texts":["Hi"]}"#, .cohereEmbedding),
        // An id containing "embed": embeddings, Titan or Cohere by the body.
        ("amazon.titan-embed-text-v2:0", #"{"inputText":"Hi"}"#, .titanEmbedding),
        ("openai/text-embedding-3-small", #"{"inputText":"Hi"}"#, .titanEmbedding),
        ("cohere.embed-english-v3", #"{"texts":["Hi"]}"#, .cohereEmbedding),
        ("openai/text-embedding-3-small", #"{"texts":["Hi"]}"#, .cohereEmbedding),
    ])
    func detects(_ modelId: String, _ body: String, _ family: InvokeFamily) throws {
        #expect(try Self.decode(modelId, body).family == family)
    }

    @Test func unknownBodyNamesTheSupportedFamiliesAndItsMembers() {
        let error = #expect(throws: GatewayError.self) { try Self.decode("openai/gpt-4o-mini", #"{"foo":1,"bar":2}"#) }
        #expect(error?.kind == .validation)
        #expect(error?.message.contains("supported InvokeModel body families are Anthropic Messages") == true)
        #expect(error?.message.contains("'bar', 'foo'") == true)
    }

    @Test func embeddingModelWithAChatBody() {
        let error = #expect(throws: GatewayError.self) { try Self.decode("amazon.titan-embed-text-v2:0", #"{"prompt":"x"}"#) }
        #expect(error?.message.contains("embedding model") == true)
    }

    @Test(arguments: [
        ("", "empty"), ("[1]", "must be a JSON object"), (#"{"prompt":"#, "not valid JSON"), ("\"text\"", "must be a JSON object"),
    ])
    func unreadableBodies(_ body: String, _ words: String) {
        let error = #expect(throws: GatewayError.self) { try Self.decode("openai/gpt-4o-mini", body) }
        #expect(error?.kind == .validation)
        #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
    }
}
