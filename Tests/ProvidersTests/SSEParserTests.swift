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

@Suite struct SSEParserLimitTests {
    @Test func aLineLongerThanTheLimitIsAnErrorWhateverTheChunking() {
        let line = Array("data: \(String(repeating: "x", count: 5000))\n\n".utf8)
        for chunk in [1, 100, 4096, line.count] {
            var parser = SSEParser(maxEventBytes: 1024)
            #expect(throws: SSEEventTooLong(limit: 1024), "chunks of \(chunk)") {
                var at = 0
                while at < line.count {
                    _ = try parser.feed(line[at..<min(at + chunk, line.count)])
                    at += chunk
                }
            }
        }
    }

    @Test func manyShortDataLinesCannotBuildAnEventOverTheLimit() {
        var parser = SSEParser(maxEventBytes: 1024)
        let lines = Array(String(repeating: "data: \(String(repeating: "y", count: 100))\n", count: 20).utf8)
        #expect(throws: SSEEventTooLong(limit: 1024)) { _ = try parser.feed(lines) }
    }

    @Test func eventsUpToTheLimitPass() throws {
        var parser = SSEParser(maxEventBytes: 1024)
        let data = String(repeating: "z", count: 1024)
        let events = try parser.feed(Array("data: \(data)\r\n\r\ndata: a\n\n".utf8))
        #expect(events == [SSEEvent(event: nil, data: data), SSEEvent(event: nil, data: "a")])
    }
}
