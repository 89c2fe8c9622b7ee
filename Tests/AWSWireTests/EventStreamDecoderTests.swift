import AWSWire
import NIOCore
import Testing

@Suite struct EventStreamDecoderTests {
    @Test func decodesBotocoreMessageStart() throws {
        var decoder = EventStreamDecoder()
        let messages = try decoder.decode(hexBuffer(BotocoreFixtures.messageStart))
        #expect(messages.count == 1)
        let m = try #require(messages.first)
        #expect(m.eventType == "messageStart")
        #expect(m.contentType == "application/json")
        #expect(m.messageType == "event")
        #expect(m.headers.map(\.name) == [":event-type", ":content-type", ":message-type"])
        #expect(String(buffer: m.payload) == #"{"role":"assistant"}"#)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func decodesEveryHeaderType() throws {
        var decoder = EventStreamDecoder()
        let m = try #require(try decoder.decode(hexBuffer(BotocoreFixtures.allHeaderTypes)).first)
        #expect(m.headers == allTypesHeaders)
        #expect(String(buffer: m.payload) == #"{"ok":true}"#)
    }

    @Test func roundTripsEveryHeaderType() throws {
        let original = EventStreamMessage(headers: allTypesHeaders + [EventStreamHeader(name: "empty", value: .string(""))],
                                          payload: ByteBuffer(bytes: [0, 1, 2, 255]))
        var wire = ByteBuffer()
        EventStreamEncoder.write(original, into: &wire)
        var decoder = EventStreamDecoder()
        #expect(try decoder.decode(wire) == [original])
    }

    @Test func byteByByteYieldsEachMessageExactlyWhenComplete() throws {
        let stream = hexBytes(BotocoreFixtures.messageStart) + hexBytes(BotocoreFixtures.contentBlockDelta)
            + hexBytes(BotocoreFixtures.throttlingException)
        let ends = [118, 118 + 170, 118 + 170 + 144]
        var decoder = EventStreamDecoder()
        var got: [(Int, EventStreamMessage)] = []
        for (i, byte) in stream.enumerated() {
            decoder.append(CollectionOfOne(byte))
            while let m = try decoder.next() { got.append((i + 1, m)) }
        }
        #expect(got.map(\.0) == ends)
        #expect(got.map { $0.1.eventType } == ["messageStart", "contentBlockDelta", nil])
        #expect(got[2].1.exceptionType == "throttlingException")
        #expect(String(buffer: got[1].1.payload) == BotocoreFixtures.contentBlockDeltaPayload)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func arbitraryByteBufferChunks() throws {
        let stream = hexBytes(BotocoreFixtures.messageStart) + hexBytes(BotocoreFixtures.contentBlockDelta)
            + hexBytes(BotocoreFixtures.allHeaderTypes)
        for chunkSize in [1, 5, 11, 12, 13, 64, 117, 119, 1000] {
            var decoder = EventStreamDecoder()
            var messages: [EventStreamMessage] = []
            var offset = 0
            while offset < stream.count {
                let end = min(offset + chunkSize, stream.count)
                messages += try decoder.decode(ByteBuffer(bytes: stream[offset..<end]))
                offset = end
            }
            #expect(messages.count == 3, "chunk size \(chunkSize)")
            #expect(messages.last?.headers == allTypesHeaders)
        }
    }

    @Test func partialMessageYieldsNothing() throws {
        var decoder = EventStreamDecoder()
        let all = hexBytes(BotocoreFixtures.messageStart)
        #expect(try decoder.decode(ByteBuffer(bytes: all[..<10])).isEmpty)
        #expect(try decoder.decode(ByteBuffer(bytes: all[10..<100])).isEmpty)
        #expect(decoder.bufferedByteCount == 100)
        #expect(try decoder.decode(ByteBuffer(bytes: all[100...])).count == 1)
    }

    @Test(arguments: [0, 3, 4, 7])
    func flippedPreludeByteIsAPreludeChecksumError(index: Int) {
        var wire = hexBytes(BotocoreFixtures.messageStart)
        wire[index] ^= 0x01
        var decoder = EventStreamDecoder()
        #expect {
            _ = try decoder.decode(ByteBuffer(bytes: wire))
        } throws: { error in
            if case .preludeChecksumMismatch = error as? EventStreamDecodingError { return true }
            return false
        }
    }

    @Test(arguments: [8, 20, 100, 113, 117])
    func flippedBodyOrCRCByteIsAMessageChecksumError(index: Int) {
        var wire = hexBytes(BotocoreFixtures.messageStart)
        wire[index] ^= 0x40
        var decoder = EventStreamDecoder()
        #expect {
            _ = try decoder.decode(ByteBuffer(bytes: wire))
        } throws: { error in
            let expectedCase = index == 8
                ? { if case .preludeChecksumMismatch = error as? EventStreamDecodingError { true } else { false } }()
                : { if case .messageChecksumMismatch = error as? EventStreamDecodingError { true } else { false } }()
            return expectedCase
        }
    }

    @Test func oversizeHeadersRejectedFromThePreludeAlone() {
        var decoder = EventStreamDecoder()
        #expect(throws: EventStreamDecodingError.headersTooLong(128 * 1024 + 1)) {
            _ = try decoder.decode(prelude(total: 200_000, headers: 128 * 1024 + 1))
        }
    }

    @Test func oversizePayloadRejectedFromThePreludeAlone() {
        var decoder = EventStreamDecoder()
        let payload = 24 * 1024 * 1024 + 1
        #expect(throws: EventStreamDecodingError.payloadTooLong(payload)) {
            _ = try decoder.decode(prelude(total: payload + 16, headers: 0))
        }
    }

    @Test func maximumPayloadLengthIsAccepted() throws {
        var decoder = EventStreamDecoder()
        #expect(try decoder.decode(prelude(total: 24 * 1024 * 1024 + 16, headers: 0)).isEmpty)
    }

    @Test func totalTooSmallForHeadersRejected() {
        var decoder = EventStreamDecoder()
        #expect(throws: EventStreamDecodingError.invalidMessageLength(totalLength: 20, headersLength: 10)) {
            _ = try decoder.decode(prelude(total: 20, headers: 10))
        }
    }

    @Test func headerRunningPastHeadersSectionIsTruncated() {
        // A string header declaring 200 value bytes inside a 10-byte headers section.
        var headers = ByteBuffer()
        headers.writeInteger(UInt8(1))
        headers.writeString("x")
        headers.writeInteger(UInt8(7))
        headers.writeInteger(UInt16(200))
        headers.writeString("abcde")
        var decoder = EventStreamDecoder()
        #expect(throws: EventStreamDecodingError.truncatedHeader) {
            _ = try decoder.decode(rawMessage(headers: headers, payload: ByteBuffer()))
        }
    }

    @Test func unknownHeaderTypeAndDuplicateNamesRejected() {
        var unknown = ByteBuffer()
        unknown.writeInteger(UInt8(1))
        unknown.writeString("x")
        unknown.writeInteger(UInt8(10))
        var decoder = EventStreamDecoder()
        #expect(throws: EventStreamDecodingError.unknownHeaderType(10)) {
            _ = try decoder.decode(rawMessage(headers: unknown, payload: ByteBuffer()))
        }

        var duplicate = ByteBuffer()
        EventStreamEncoder.writeStringHeader("a", "1", into: &duplicate)
        EventStreamEncoder.writeStringHeader("a", "2", into: &duplicate)
        var decoder2 = EventStreamDecoder()
        #expect(throws: EventStreamDecodingError.duplicateHeader("a")) {
            _ = try decoder2.decode(rawMessage(headers: duplicate, payload: ByteBuffer()))
        }
    }

    @Test func payloadIsASliceOfTheInput() throws {
        var decoder = EventStreamDecoder()
        var input = hexBuffer(BotocoreFixtures.messageStart)
        input.moveReaderIndex(forwardBy: 0)
        let m = try #require(try decoder.decode(input).first)
        #expect(m.payload.readableBytes == 20)
    }
}

/// A valid 12-byte prelude (correct CRC) announcing the given lengths.
private func prelude(total: Int, headers: Int) -> ByteBuffer {
    var b = ByteBuffer()
    b.writeInteger(UInt32(total))
    b.writeInteger(UInt32(headers))
    b.writeInteger(CRC32.checksum(b))
    return b
}

/// A message whose headers section is `headers` verbatim, with valid lengths and CRCs.
private func rawMessage(headers: ByteBuffer, payload: ByteBuffer) -> ByteBuffer {
    var out = ByteBuffer()
    EventStreamEncoder.writeMessage(into: &out, headers: { b in
        var h = headers
        b.writeBuffer(&h)
    }, payload: { b in
        var p = payload
        b.writeBuffer(&p)
    })
    return out
}
