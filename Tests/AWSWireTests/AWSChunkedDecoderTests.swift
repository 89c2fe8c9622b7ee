import AWSWire
import NIOCore
import Testing

@Suite struct AWSChunkedDecoderTests {
    /// The bytes boto3 sent for `{"a":1}\n` over https (bedrock-wire.md §6.6), HTTP chunking removed.
    static let botoSmall = "8\r\n{\"a\":1}\n\r\n0\r\nx-amz-checksum-crc32:dOijRg==\r\n\r\n"

    func decodeAll(_ pieces: [String]) throws -> (String, AWSChunkedDecoder) {
        var decoder = AWSChunkedDecoder()
        var out = ""
        for piece in pieces {
            for slice in try decoder.feed(ByteBuffer(string: piece)) { out += String(buffer: slice) }
        }
        try decoder.finish()
        return (out, decoder)
    }

    @Test func decodesWhatBoto3Sends() throws {
        let (payload, decoder) = try decodeAll([Self.botoSmall])
        #expect(payload == "{\"a\":1}\n")
        #expect(decoder.trailers == ["x-amz-checksum-crc32": "dOijRg=="])
        #expect(decoder.decodedCount == 8)
        #expect(decoder.isComplete)
    }

    @Test func decodesEveryByteSplit() throws {
        let text = "5\r\nhello\r\n6;chunk-signature=abc\r\n world\r\n0\r\nX-Amz-Checksum-CRC32 : x \r\nother: y\r\n\r\n"
        for split in 0...text.utf8.count {
            let bytes = Array(text.utf8)
            let pieces = [String(decoding: bytes[..<split], as: UTF8.self), String(decoding: bytes[split...], as: UTF8.self)]
            let (payload, decoder) = try decodeAll(pieces)
            #expect(payload == "hello world")
            #expect(decoder.trailers == ["x-amz-checksum-crc32": "x", "other": "y"])
        }
        // One byte at a time.
        let (payload, _) = try decodeAll(text.map { String($0) })
        #expect(payload == "hello world")
    }

    @Test func emptyBodyAndLargeChunks() throws {
        let (empty, decoder) = try decodeAll(["0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"])
        #expect(empty.isEmpty)
        #expect(decoder.trailers["x-amz-checksum-crc32"] == "AAAAAA==")
        let big = String(repeating: "z", count: 100_000)
        let (payload, _) = try decodeAll(["186a0\r\n", big, "\r\n0\r\n\r\n"])
        #expect(payload == big)
    }

    @Test func payloadSlicesAreNotCopiedPastTheChunk() throws {
        var decoder = AWSChunkedDecoder()
        let out = try decoder.feed(ByteBuffer(string: "3\r\nabc\r\n2\r\nde\r\n"))
        #expect(out.map { String(buffer: $0) } == ["abc", "de"])
        #expect(!decoder.isComplete)
        #expect(throws: AWSChunkedDecodingError.truncated) { try decoder.finish() }
    }

    @Test func missingFinalBlankLineIsForgiven() throws {
        let (payload, decoder) = try decodeAll(["1\r\na\r\n0\r\nx-amz-checksum-crc32:abc=\r\n"])
        #expect(payload == "a")
        #expect(decoder.trailers.count == 1)
    }

    @Test(arguments: [
        ("zz\r\n", AWSChunkedDecodingError.malformedChunkHeader),
        ("\r\n", .malformedChunkHeader),
        ("3\nabc\r\n", .malformedChunkHeader),
        ("1000000000000000\r\n", .malformedChunkHeader),
        ("3\r\nabcX\r\n", .missingChunkTerminator),
        ("0\r\nno-colon\r\n\r\n", .malformedTrailer),
        ("0\r\n:empty-name\r\n\r\n", .malformedTrailer),
        ("0\r\n\r\nextra", .trailingData),
    ])
    func rejectsMalformedInput(_ input: String, _ expected: AWSChunkedDecodingError) {
        var decoder = AWSChunkedDecoder()
        #expect(throws: expected) { _ = try decoder.feed(ByteBuffer(string: input)) }
    }

    @Test func truncatedInputIsAnError() throws {
        for input in ["", "5\r\nhel", "5\r\nhello\r\n", "0\r\nx-amz-checksum-crc32:abc"] {
            var decoder = AWSChunkedDecoder()
            _ = try decoder.feed(ByteBuffer(string: input))
            #expect(throws: AWSChunkedDecodingError.truncated) { try decoder.finish() }
        }
    }

    @Test func overlongLinesAreRefused() {
        var decoder = AWSChunkedDecoder()
        let long = String(repeating: "a", count: AWSChunkedDecoder.maxLineLength + 10)
        #expect(throws: AWSChunkedDecodingError.malformedChunkHeader) { _ = try decoder.feed(ByteBuffer(string: long)) }
    }
}
