import BedrockDoor
import Foundation
import NIOCore
import SwitchyardModel
import Testing

@Suite struct ConverseRequestDecoderTests {
    /// The body boto3 put on the wire in bedrock-wire.md §2.2.
    static let documentedExample = #"""
        {"messages":[{"role":"user","content":[{"text":"Weather in Paris?"},
           {"image":{"format":"png","source":{"bytes":"iVBORw=="}}},
           {"document":{"format":"txt","name":"doc1","source":{"bytes":"aGVsbG8gZG9j"}}},
           {"cachePoint":{"type":"default"}}]},
          {"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"get_weather","input":{"city":"Paris"}}}]},
          {"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"json":{"temp":21}},{"text":"sunny"}],"status":"success"}}]}],
         "system":[{"text":"Be brief."},{"cachePoint":{"type":"default"}}],
         "inferenceConfig":{"maxTokens":512,"temperature":0.5,"topP":0.9,"stopSequences":["\n\nHuman:"]},
         "toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","description":"weather","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}}}}}}],"toolChoice":{"auto":{}}},
         "additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":1024}},
         "additionalModelResponseFieldPaths":["/stop_sequence"],"requestMetadata":{"team":"ml"},
         "performanceConfig":{"latency":"standard"}}
        """#

    @Test func documentedExampleLandsInTheCanonicalModel() throws {
        let request = try ConverseRequestDecoder.decode(ByteBuffer(string: Self.documentedExample))
        let expected = ChatRequest(
            system: [.text("Be brief."), .cachePoint(CachePoint())],
            messages: [
                Message(role: .user, content: [
                    .text("Weather in Paris?"),
                    .image(ImagePart(format: .png, data: Data([0x89, 0x50, 0x4E, 0x47]))),
                    .document(DocumentPart(format: .txt, name: "doc1", source: .bytes(Data("hello doc".utf8)))),
                    .cachePoint(CachePoint()),
                ]),
                Message(role: .assistant, content: [
                    .toolUse(ToolUse(id: "t1", name: "get_weather", input: ["city": "Paris"])),
                ]),
                Message(role: .user, content: [
                    .toolResult(ToolResult(toolUseId: "t1", content: [.json(["temp": 21]), .text("sunny")], isError: false)),
                ]),
            ],
            inference: InferenceConfig(maxTokens: 512, temperature: 0.5, topP: 0.9, stopSequences: ["\n\nHuman:"]),
            tools: [
                ToolSpec(name: "get_weather", description: "weather",
                         inputSchema: ["type": "object", "properties": ["city": ["type": "string"]]]),
            ],
            toolChoice: .auto,
            additionalFields: ["thinking": ["type": "enabled", "budget_tokens": 1024]],
            fallbacks: [],
            metadata: ["team": "ml"]
        )
        #expect(request == expected)
    }

    @Test func dataAndByteBufferInputsAgree() throws {
        let a = try ConverseRequestDecoder.decode(Data(Self.documentedExample.utf8))
        var buffer = ByteBuffer(string: "xx" + Self.documentedExample)
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(try ConverseRequestDecoder.decode(buffer) == a)
    }

    @Test func everyOtherMemberTheModelCanHold() throws {
        let body = #"""
            {"messages":[
               {"role":"assistant","content":[
                  {"reasoningContent":{"reasoningText":{"text":"hmm","signature":"sig=="}}},
                  {"reasoningContent":{"redactedContent":"AAEC"}},
                  {"reasoningContent":{"reasoningText":{"text":"no sig"}}},
                  {"cachePoint":{"type":"default","ttl":"1h"}}]},
               {"role":"user","content":[
                  {"toolResult":{"toolUseId":"t9","status":"error","content":[
                     {"text":"boom"},
                     {"image":{"format":"webp","source":{"bytes":"AQID"}}},
                     {"document":{"format":"md","name":"notes","source":{"text":"# hi"}}}]}},
                  {"document":{"name":"chunks","source":{"content":[{"text":"a"},{"text":"b"}]}}},
                  {"document":{"format":"pdf","name":"p","source":{"bytes":"JVBERg=="}}},
                  {"guardContent":{"text":{"text":"guarded","qualifiers":["query"]}}},
                  {"citationsContent":{"content":[{"text":"cited "},{"text":"text"}],"citations":[]}}]}],
             "system":[{"text":"sys"},{"guardContent":{"text":{"text":"gsys"}}},{"cachePoint":{"type":"default","ttl":"5m"}}],
             "toolConfig":{"tools":[
                {"toolSpec":{"name":"a","inputSchema":{"json":{}}}},
                {"toolSpec":{"name":"b-2","description":"second","inputSchema":{"json":{"type":"object"}},"strict":true}},
                {"cachePoint":{"type":"default"}}],
              "toolChoice":{"tool":{"name":"b-2"}}},
             "inferenceConfig":{"maxTokens":1e3},
             "fallbacks":["m2","m3"],
             "guardrailConfig":{"guardrailIdentifier":"g","guardrailVersion":"1"},
             "someFutureMember":{"x":[1,2,3]}}
            """#
        let r = try ConverseRequestDecoder.decode(ByteBuffer(string: body))
        #expect(r.messages[0].content == [
            .reasoning(.text("hmm", signature: "sig==")),
            .reasoning(.redacted(Data([0, 1, 2]))),
            .reasoning(.text("no sig", signature: nil)),
            .cachePoint(CachePoint(ttl: "1h")),
        ])
        #expect(r.messages[1].content == [
            .toolResult(ToolResult(toolUseId: "t9", content: [
                .text("boom"),
                .image(ImagePart(format: .webp, data: Data([1, 2, 3]))),
                .document(DocumentPart(format: .md, name: "notes", source: .text("# hi"))),
            ], isError: true)),
            .document(DocumentPart(format: .txt, name: "chunks", source: .text("a\nb"))),
            .document(DocumentPart(format: .pdf, name: "p", source: .bytes(Data("%PDF".utf8)))),
            .text("guarded"),
            .text("cited text"),
        ])
        #expect(r.system == [.text("sys"), .text("gsys"), .cachePoint(CachePoint(ttl: "5m"))])
        #expect(r.tools == [
            ToolSpec(name: "a", description: nil, inputSchema: [:]),
            ToolSpec(name: "b-2", description: "second", inputSchema: ["type": "object"], cachePoint: CachePoint()),
        ])
        #expect(r.toolChoice == .tool("b-2"))
        #expect(r.inference == InferenceConfig(maxTokens: 1000))
        #expect(r.fallbacks == ["m2", "m3"])
        #expect(r.additionalFields.isEmpty)
    }

    @Test(arguments: [(#"{"auto":{}}"#, ToolChoice.auto), (#"{"any":{}}"#, .any), (#"{"tool":{"name":"t"}}"#, .tool("t"))])
    func toolChoices(_ json: String, _ expected: ToolChoice) throws {
        let body = #"{"messages":[{"role":"user","content":[{"text":"hi"}]}],"toolConfig":{"tools":[{"toolSpec":{"name":"t","inputSchema":{"json":{}}}}],"toolChoice":"#
            + json + "}}"
        #expect(try ConverseRequestDecoder.decode(ByteBuffer(string: body)).toolChoice == expected)
    }

    static let hi = #"{"role":"user","content":[{"text":"hi"}]}"#

    /// Wraps one content block in a one-message request.
    static func block(_ json: String) -> String {
        #"{"messages":[{"role":"user","content":["# + json + "]}]}"
    }

    static let invalid: [(String, String)] = [
        ("", "the request body is empty; expected a Converse JSON object"),
        ("{not json", "the request body is not valid JSON"),
        ("[]", "the request body must be a JSON object"),
        ("{}", "messages: required member is missing"),
        (#"{"messages":null}"#, "messages: required member is missing"),
        (#"{"messages":[]}"#, "messages: must contain at least one message"),
        (#"{"messages":{}}"#, "messages: expected a list"),
        (#"{"messages":[1]}"#, "messages[0]: expected an object"),
        (#"{"messages":[{"role":"system","content":[{"text":"x"}]}]}"#,
         "messages[0].role: 'system' is not one of user, assistant"),
        (#"{"messages":[{"role":"user"}]}"#, "messages[0].content: required member is missing"),
        (#"{"messages":[{"role":"user","content":[]}]}"#, "messages[0].content: must contain at least one content block"),
        (#"{"messages":[\#(hi),{"role":"assistant","content":[{"image":{"format":"bmp","source":{"bytes":"AA=="}}}]}]}"#,
         "messages[1].content[0].image.format: 'bmp' is not one of png, jpeg, gif, webp"),
        (block(#"{"image":{"format":"png","source":{"bytes":"not base64!"}}}"#),
         "messages[0].content[0].image.source.bytes: is not valid base64"),
        (block(#"{"image":{"format":"png","source":{"s3Location":{"uri":"s3://b/k"}}}}"#),
         "messages[0].content[0].image.source.s3Location: an S3 image source (send the bytes inline) is not supported by the gateway"),
        (block(#"{"image":{"format":"png"}}"#), "messages[0].content[0].image.source: required member is missing"),
        (block(#"{"document":{"format":"pdf","name":"d","source":{"s3Location":{"uri":"s3://b/k"}}}}"#),
         "messages[0].content[0].document.source.s3Location: an S3 document source (send the bytes inline) is not supported by the gateway"),
        (block(#"{"document":{"format":"pdf","source":{"bytes":"AA=="}}}"#),
         "messages[0].content[0].document.name: required member is missing"),
        (block(#"{"document":{"name":"d","source":{"bytes":"AA=="}}}"#),
         "messages[0].content[0].document.format: required member is missing"),
        (block(#"{"document":{"format":"rtf","name":"d","source":{"bytes":"AA=="}}}"#),
         "messages[0].content[0].document.format: 'rtf' is not one of pdf, csv, doc, docx, xls, xlsx, html, txt, md"),
        (block(#"{"video":{"format":"mp4","source":{"bytes":"AA=="}}}"#),
         "messages[0].content[0].video: video content is not supported by the gateway"),
        (block(#"{"audio":{"format":"mp3","source":{"bytes":"AA=="}}}"#),
         "messages[0].content[0].audio: audio content is not supported by the gateway"),
        (block(#"{"text":"a","image":{"format":"png","source":{"bytes":"AA=="}}}"#),
         "messages[0].content[0]: a content block must set exactly one member, got 'image', 'text'"),
        (block("{}"), "messages[0].content[0]: a content block must set exactly one member"),
        (block(#"{"hologram":{}}"#), "messages[0].content[0].hologram: unknown content block member"),
        (block(#"{"text":5}"#), "messages[0].content[0].text: expected a string"),
        (block(#"{"toolUse":{"toolUseId":"t","name":"n"}}"#), "messages[0].content[0].toolUse.input: required member is missing"),
        (block(#"{"toolUse":{"name":"n","input":{}}}"#), "messages[0].content[0].toolUse.toolUseId: required member is missing"),
        (block(#"{"toolResult":{"toolUseId":"t","content":[{"text":"x"}],"status":"failed"}}"#),
         "messages[0].content[0].toolResult.status: 'failed' is not one of success, error"),
        (block(#"{"toolResult":{"toolUseId":"t","content":[{"video":{}}]}}"#),
         "messages[0].content[0].toolResult.content[0].video: video content is not supported by the gateway"),
        (block(#"{"reasoningContent":{"redactedContent":"%%%"}}"#),
         "messages[0].content[0].reasoningContent.redactedContent: is not valid base64"),
        (block(#"{"reasoningContent":{"reasoningText":{"signature":"s"}}}"#),
         "messages[0].content[0].reasoningContent.reasoningText.text: required member is missing"),
        (block(#"{"cachePoint":{"type":"ephemeral"}}"#), "messages[0].content[0].cachePoint.type: 'ephemeral' is not one of default"),
        (block(#"{"cachePoint":{"type":"default","ttl":"2h"}}"#), "messages[0].content[0].cachePoint.ttl: '2h' is not one of 5m, 1h"),
        (#"{"messages":[\#(hi)],"system":[{"text":""}]}"#, "system[0].text: must not be empty"),
        (#"{"messages":[\#(hi)],"system":"be brief"}"#, "system: expected a list"),
        (#"{"messages":[\#(hi)],"inferenceConfig":{"maxTokens":0}}"#,
         "inferenceConfig.maxTokens: must be an integer between 1 and 2147483647"),
        (#"{"messages":[\#(hi)],"inferenceConfig":{"maxTokens":10.5}}"#,
         "inferenceConfig.maxTokens: must be an integer between 1 and 2147483647"),
        (#"{"messages":[\#(hi)],"inferenceConfig":{"maxTokens":"10"}}"#, "inferenceConfig.maxTokens: expected a number"),
        (#"{"messages":[\#(hi)],"inferenceConfig":{"temperature":1.5}}"#, "inferenceConfig.temperature: 1.5 is not between 0 and 1"),
        (#"{"messages":[\#(hi)],"inferenceConfig":{"topP":-0.1}}"#, "inferenceConfig.topP: -0.1 is not between 0 and 1"),
        (#"{"messages":[\#(hi)],"inferenceConfig":{"stopSequences":["a",""]}}"#, "inferenceConfig.stopSequences[1]: must not be empty"),
        (#"{"messages":[\#(hi)],"toolConfig":{}}"#, "toolConfig.tools: required member is missing"),
        (#"{"messages":[\#(hi)],"toolConfig":{"tools":[]}}"#, "toolConfig.tools: must contain at least one tool"),
        (#"{"messages":[\#(hi)],"toolConfig":{"tools":[{"cachePoint":{"type":"default"}}]}}"#,
         "toolConfig.tools[0].cachePoint: a cachePoint must follow a toolSpec"),
        (#"{"messages":[\#(hi)],"toolConfig":{"tools":[{"systemTool":{"name":"web"}}]}}"#,
         "toolConfig.tools[0].systemTool: systemTool is not supported by the gateway"),
        (#"{"messages":[\#(hi)],"toolConfig":{"tools":[{"toolSpec":{"name":"t"}}]}}"#,
         "toolConfig.tools[0].toolSpec.inputSchema: required member is missing"),
        (#"{"messages":[\#(hi)],"toolConfig":{"tools":[{"toolSpec":{"name":"bad name","inputSchema":{"json":{}}}}]}}"#,
         "toolConfig.tools[0].toolSpec.name: 'bad name' must be 1 to 64 characters of [a-zA-Z0-9_-]"),
        (#"{"messages":[\#(hi)],"toolConfig":{"tools":[{"toolSpec":{"name":"t","inputSchema":{"json":{}}}},{"toolSpec":{"name":"t","inputSchema":{"json":{}}}}]}}"#,
         "toolConfig.tools[1].toolSpec.name: duplicate tool name 't'"),
        (#"{"messages":[\#(hi)],"toolConfig":{"tools":[{"toolSpec":{"name":"t","inputSchema":{"json":{}}}}],"toolChoice":{"tool":{"name":"u"}}}}"#,
         "toolConfig.toolChoice.tool.name: 'u' is not the name of a tool in toolConfig.tools"),
        (#"{"messages":[\#(hi)],"toolConfig":{"tools":[{"toolSpec":{"name":"t","inputSchema":{"json":{}}}}],"toolChoice":{}}}"#,
         "toolConfig.toolChoice: toolChoice must set exactly one member"),
        (#"{"messages":[\#(hi)],"additionalModelRequestFields":[1]}"#, "additionalModelRequestFields: must be a JSON object"),
        (#"{"messages":[\#(hi)],"fallbacks":["ok",""]}"#, "fallbacks[1]: must not be empty"),
        (#"{"messages":[\#(hi)],"fallbacks":"m2"}"#, "fallbacks: expected a list"),
    ]

    @Test(arguments: invalid)
    func validationErrorNamesTheField(_ body: String, _ message: String) {
        do {
            let request = try ConverseRequestDecoder.decode(ByteBuffer(string: body))
            Issue.record("decoded \(request)")
        } catch {
            #expect(error.kind == .validation)
            #expect(error.message == message)
        }
    }
}
