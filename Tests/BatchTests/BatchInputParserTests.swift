import Foundation
import SwitchyardModel
import Testing

@testable import Batch

@Suite struct BatchInputParserTests {
    func parse(_ lines: [String]) throws -> [BatchRecord] {
        try BatchInputParser.parse(Array(lines.joined(separator: "\n").utf8))
    }

    @Test func bedrockForm() throws {
        let records = try parse([
            #"{"recordId": "CALL0000001", "modelInput": {"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}}"#,
            "",
            #"{"modelInput": {"inputText": "no id"}}"#,
        ])
        #expect(records.count == 2)
        #expect(records[0].form == .bedrock && records[0].recordId == "CALL0000001" && records[0].index == 0)
        #expect(records[0].modelInput["messages"] != nil)
        // Bedrock names records without an id itself; the name follows the position, so it is stable.
        #expect(records[1].recordId == "CALL0000002" && records[1].index == 1)
        #expect(records.allSatisfy { $0.problem == nil })
    }

    @Test func openAIForm() throws {
        let records = try parse([
            #"{"custom_id": "request-1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}], "max_tokens": 100}}"#
        ])
        let record = try #require(records.first)
        #expect(record.form == .openai && record.recordId == "request-1" && record.url == "/v1/chat/completions")
        #expect(record.modelInput["max_tokens"]?.intValue == 100)
    }

    @Test func geminiForm() throws {
        let records = try parse([
            #"{"request": {"contents": [{"role": "user", "parts": [{"text": "Hello!"}]}], "generationConfig": {"maxOutputTokens": 100}}, "metadata": {"key": "request-1"}}"#
        ])
        let record = try #require(records.first)
        #expect(record.form == .gemini && record.recordId == "request-1")
        #expect(record.modelInput["contents"] != nil)
    }

    @Test func badLinesFailAloneAndKeepTheirPlace() throws {
        let records = try parse(["not json", #"{"something": "else"}"#, #"{"recordId": "x"}"#, #"{"recordId": "ok", "modelInput": {}}"#])
        #expect(records.map(\.index) == [0, 1, 2, 3])
        #expect(records[0].problem != nil && records[1].problem != nil && records[2].problem != nil)
        #expect(records[3].problem == nil)
    }

    @Test func indexesContinueAcrossFiles() throws {
        let records = try BatchInputParser.parse(Array(#"{"recordId": "a", "modelInput": {}}"#.utf8), file: 1, first: 5)
        #expect(records.first?.index == 5 && records.first?.file == 1)
    }

    @Test func notUTF8IsRefused() {
        #expect(throws: GatewayError.self) { try BatchInputParser.parse([0xff, 0xfe, 0x00]) }
    }
}
