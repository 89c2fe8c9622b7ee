import NIOCore
import Testing

@testable import BedrockDoor

@Suite struct PassthroughOutputCapTests {
    @Test(arguments: [
        (#"{"messages":[],"inferenceConfig":{"maxTokens":512}}"#, 512),
        (#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":300,"messages":[]}"#, 300),
        (#"{"schemaVersion":"messages-v1","inferenceConfig":{"max_new_tokens":77}}"#, 77),
        (#"{"inputText":"hi","textGenerationConfig":{"maxTokenCount":128}}"#, 128),
        (#"{"prompt":"hi","max_gen_len":64}"#, 64),
        (#"{"prompt":"hi","max_tokens":32,"temperature":0.5}"#, 32),
    ])
    func readsTheCapOfEachFamily(_ body: String, _ cap: Int) {
        #expect(PassthroughOutputCap.read(ByteBuffer(string: body)) == cap)
    }

    @Test(arguments: [#"{"messages":[]}"#, #"{"max_tokens":"many"}"#, #"{"inferenceConfig":[]}"#, "not json", "[1,2]", ""])
    func anythingElseNamesNoCap(_ body: String) {
        #expect(PassthroughOutputCap.read(ByteBuffer(string: body)) == nil)
    }
}
