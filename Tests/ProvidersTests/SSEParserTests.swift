import Testing

@testable import Providers

@Suite struct SSEParserTests {
    @Test func eventsSplitAnywhereAreReassembled() throws {
        let text = "event: message_start\ndata: {\"a\":1}\n\n: comment\r\ndata: line1\r\ndata: line2\r\n\r\ndata: [DONE]\n\n"
        let bytes = Array(text.utf8)
        for split in 0..<bytes.count {
            var parser = SSEParser()
            let events = try parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            #expect(
                events == [
                    SSEEvent(event: "message_start", data: "{\"a\":1}"),
                    SSEEvent(event: nil, data: "line1\nline2"),
                    SSEEvent(event: nil, data: "[DONE]"),
                ], "split at \(split)")
        }
    }

    @Test func trailingEventWithoutBlankLineIsKept() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("data:x".utf8)).isEmpty)
        #expect(try parser.finish() == SSEEvent(event: nil, data: "x"))
    }

    @Test func fieldWithoutSpaceAndEmptyData() throws {
        var parser = SSEParser()
        let events = try parser.feed(Array("data:a\ndata\n\n".utf8))
        #expect(events == [SSEEvent(event: nil, data: "a\n")])
    }
}
