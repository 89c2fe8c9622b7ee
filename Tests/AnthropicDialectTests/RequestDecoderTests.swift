import AnthropicDialect
import Foundation
import SwitchyardModel
import Testing

@Suite struct RequestDecoderTests {
    static func decode(_ body: String, form: AnthropicRequestForm = .messages) throws(GatewayError) -> AnthropicRequest {
        try AnthropicRequestDecoder.decode(Data(body.utf8), form: form)
    }

    @Test func messagesFormReadsModelStreamAndTheAPIsOwnMembers() throws {
        let decoded = try Self.decode(#"""
            {"model":"anthropic/claude-sonnet-4-5","max_tokens":256,"stream":true,"metadata":{"user_id":"u1"},
             "top_k":3,"service_tier":"auto","stop_sequences":["END"],
             "system":[{"type":"text","text":"Sys","cache_control":{"type":"ephemeral"}}],
             "messages":[{"role":"user","content":[
               {"type":"text","text":"Look","cache_control":{"type":"ephemeral","ttl":"1h"}},
               {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAEC"}}]}]}
            """#)
        #expect(decoded.model == "anthropic/claude-sonnet-4-5" && decoded.stream)
        let chat = decoded.chat
        #expect(chat.inference.maxTokens == 256 && chat.inference.stopSequences == ["END"])
        #expect(chat.system == [.text("Sys"), .cachePoint(CachePoint())])
        #expect(
            chat.messages[0].content == [
                .text("Look"), .cachePoint(CachePoint(ttl: "1h")), .image(ImagePart(format: .png, data: Data([0, 1, 2]))),
            ])
        #expect(chat.additionalFields == ["metadata": ["user_id": "u1"], "top_k": 3, "service_tier": "auto"])
    }

    @Test func systemAsAString() throws {
        let chat = try Self.decode(#"{"model":"m","max_tokens":5,"system":"Be brief.","messages":[{"role":"user","content":"Hi"}]}"#).chat
        #expect(chat == ChatRequest(system: [.text("Be brief.")], messages: [Message(role: .user, content: [.text("Hi")])], inference: InferenceConfig(maxTokens: 5)))
    }

    @Test func countTokensFormNeedsNoMaxTokensAndIgnoresSampling() throws {
        let decoded = try Self.decode(
            #"{"model":"m","temperature":0.3,"messages":[{"role":"user","content":"Hi"}]}"#, form: .countTokens)
        #expect(decoded.chat.inference == InferenceConfig())
        #expect(!decoded.stream)
    }

    @Test func bedrockFormNeedsNoModel() throws {
        let decoded = try Self.decode(
            #"{"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["x"],"messages":[{"role":"user","content":"Hi"}]}"#,
            form: .bedrockInvoke)
        #expect(decoded.model == nil)
        #expect(decoded.chat.additionalFields == ["anthropic_beta": ["x"]])
    }

    @Test(arguments: [
        (#"{"max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#, "model: required member is missing"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#, "max_tokens: required member is missing"),
        (#"{"model":"m","max_tokens":5,"messages":[]}"#, "messages: must contain at least one message"),
        (#"{"model":"m","max_tokens":5,"messages":[{"role":"robot","content":"x"}]}"#, "messages[0].role: 'robot' is not one of user, assistant"),
        (#"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"audio"}]}]}"#, "messages[0].content[0].type: 'audio'"),
        (#"{"model":"m","max_tokens":"many","messages":[{"role":"user","content":"x"}]}"#, "max_tokens: expected a number"),
        ("[1]", "the request body must be a JSON object"),
        ("{", "the request body is not valid JSON"),
    ])
    func invalidBodiesNameTheMember(_ body: String, _ message: String) {
        let error = #expect(throws: GatewayError.self) { try Self.decode(body) }
        #expect(error?.kind == .validation)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }
}
