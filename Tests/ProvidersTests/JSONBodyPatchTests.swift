@testable import Providers
import NIOCore
import Testing

@Suite struct JSONBodyPatchTests {
    @Test func onlyTheModelValueChanges() throws {
        let body = #"{ "messages":[{"role":"user","content":"say \"model\": x"}], "model" : "anthropic/claude-x", "max_tokens":5,"n":{"model":"inner"} }"#
        let patched = try #require(JSONBodyPatch.settingModel(ByteBuffer(string: body), to: "claude-x"))
        #expect(
            String(buffer: patched)
                == #"{ "messages":[{"role":"user","content":"say \"model\": x"}], "model" : "claude-x", "max_tokens":5,"n":{"model":"inner"} }"#)
    }

    @Test func aModelAfterNestedValuesAndEscapes() throws {
        let body = #"{"a":[1,{"b":"}"}],"c":"\\","d":true,"model":"x"}"#
        let patched = try #require(JSONBodyPatch.settingModel(ByteBuffer(string: body), to: "y/\"z"))
        #expect(String(buffer: patched) == #"{"a":[1,{"b":"}"}],"c":"\\","d":true,"model":"y/\"z"}"#)
    }

    /// A second `model`, or one spelled with escapes, could be read by the upstream instead of the one the gateway
    /// routed and checked.
    @Test(arguments: [
        #"{"messages":[]}"#, #"{"model":5}"#, "[]", "{", "{}", #"{"model":"a","model":"b"}"#, #"{"model":"a","mod\u0065l":"b"}"#,
        #"{"model":"a""#,
    ])
    func noStringModelNoPatch(_ body: String) {
        #expect(JSONBodyPatch.settingModel(ByteBuffer(string: body), to: "m") == nil)
    }
}

@Suite struct JSONMemberSnifferTests {
    @Test(arguments: [
        (#"{"usage":{"prompt_tokens":1}}"#, true), (#"{"usage" : 5}"#, true), (#"{"a":{"usage":"x"}}"#, true),
        (#"{"usage":null}"#, false), (#"{"usage" :  null,"b":1}"#, false), (#"{"content":"say \"usage\": {"}"#, false),
        (#"{"usages":{}}"#, false), (#"{"usage""#, false), ("", false),
    ])
    func findsANonNullMember(_ json: String, _ expected: Bool) {
        #expect(JSONMemberSniffer.hasValue("usage", in: json) == expected)
    }
}
