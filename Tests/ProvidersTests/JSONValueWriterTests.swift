import Foundation
import NIOCore
import SwitchyardModel
import Testing

@testable import Providers

@Suite struct JSONValueWriterTests {
    func roundTrip(_ value: JSONValue) throws -> JSONValue {
        let buffer = JSONValueWriter.buffer(value)
        return try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
    }

    @Test func documentsSurviveARoundTrip() throws {
        let value: JSONValue = [
            "text": "quote \" backslash \\ newline \n tab \t control \u{01} unicode é 🚀 slash /",
            "int": 42, "negative": -7, "fraction": 0.25, "small": 1e-7, "big": 1.5e20,
            "bool": true, "null": nil, "nested": ["list": [1, "two", false, [:], []]],
        ]
        #expect(try roundTrip(value) == value)
    }

    @Test func integersHaveNoFractionAndNonFiniteIsNull() {
        var buffer = ByteBuffer()
        JSONValueWriter.write(.array([.number(3), .number(.infinity), .number(.nan), .number(2.5)]), into: &buffer)
        #expect(String(buffer: buffer) == "[3,null,null,2.5]")
    }
}
