import AWSWire
import Foundation
import NIOCore
import Testing

@Suite struct AWSJSONErrorTests {
    @Test func rendersRestJSONError() throws {
        let error = AWSJSONError(code: "ThrottlingException", message: "Too many requests, please wait.", status: 429)
        #expect(error.headers.map(\.name) == ["Content-Type", "x-amzn-ErrorType"])
        #expect(error.headers.map(\.value) == ["application/json", "ThrottlingException"])
        #expect(String(decoding: error.body, as: UTF8.self) == #"{"message":"Too many requests, please wait."}"#)
        #expect(error.status == 429)
    }

    @Test func messageIsEscaped() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} unit \u{1F} del \u{7F} é 中 😀 </script>"
        let error = AWSJSONError(code: "ValidationException", message: tricky, status: 400)
        let object = try JSONSerialization.jsonObject(with: Data(error.body)) as? [String: Any]
        #expect(object?["message"] as? String == tricky)
        #expect(String(buffer: error.bodyBuffer).contains(#"\u0000"#))
        #expect(String(buffer: error.bodyBuffer).contains(#"\u001f"#))
    }
}

@Suite struct JSONStringTests {
    @Test(arguments: ["", "plain", "\"", "\\", "\u{8}\u{C}\n\r\t", "\u{0}\u{1}\u{1F}", "é中😀", "a\"b\\c\nd😀e"])
    func roundTripsThroughJSONSerialization(_ s: String) throws {
        var b = ByteBuffer(string: "[")
        b.writeJSONString(s)
        b.writeString("]")
        let parsed = try JSONSerialization.jsonObject(with: Data(b.readableBytesView)) as? [String]
        #expect(parsed == [s])
    }

    @Test func shortEscapesAreUsed() {
        var b = ByteBuffer()
        let n = b.writeJSONString("a\"\\\n\r\t\u{8}\u{C}\u{1}")
        #expect(String(buffer: b) == #""a\"\\\n\r\t\b\f\u0001""#)
        #expect(n == b.readableBytes)
    }
}
