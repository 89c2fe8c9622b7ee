import AWSWire
import NIOCore
import Testing

@Suite struct EventStreamEncoderTests {
    @Test func messageStartMatchesBedrockWireExampleByteForByte() {
        var out = ByteBuffer()
        EventStreamEncoder.writeEvent(type: "messageStart", into: &out) { $0.writeString(#"{"role":"assistant"}"#) }
        #expect(out.readableBytes == 118)
        #expect(bytes(out) == hexBytes(BotocoreFixtures.messageStart))
    }

    @Test func messageValueAndClosureFormsAgree() {
        var viaMessage = ByteBuffer()
        EventStreamEncoder.write(.event(type: "messageStart", payload: ByteBuffer(string: #"{"role":"assistant"}"#)), into: &viaMessage)
        #expect(bytes(viaMessage) == hexBytes(BotocoreFixtures.messageStart))
    }

    @Test func matchesBotocoreFixtures() {
        var delta = ByteBuffer()
        EventStreamEncoder.writeEvent(type: "contentBlockDelta", into: &delta) {
            $0.writeString(BotocoreFixtures.contentBlockDeltaPayload)
        }
        #expect(hexString(delta) == hexString(hexBuffer(BotocoreFixtures.contentBlockDelta)))

        var exception = ByteBuffer()
        EventStreamEncoder.writeException(type: "throttlingException", into: &exception) {
            $0.writeString(#"{"message":"Too many requests"}"#)
        }
        #expect(bytes(exception) == hexBytes(BotocoreFixtures.throttlingException))
    }

    @Test func allHeaderTypesEncodeLikeTheFixture() {
        var out = ByteBuffer()
        EventStreamEncoder.write(EventStreamMessage(headers: allTypesHeaders, payload: ByteBuffer(string: #"{"ok":true}"#)), into: &out)
        #expect(bytes(out) == hexBytes(BotocoreFixtures.allHeaderTypes))
    }

    @Test func appendsAfterExistingBytesWithAdvancedReaderIndex() {
        var out = ByteBuffer(string: "prefix--")
        out.moveReaderIndex(forwardBy: 3)
        EventStreamEncoder.writeEvent(type: "messageStart", into: &out) { $0.writeString(#"{"role":"assistant"}"#) }
        EventStreamEncoder.writeEvent(type: "messageStart", into: &out) { $0.writeString(#"{"role":"assistant"}"#) }
        let one = hexBytes(BotocoreFixtures.messageStart)
        #expect(bytes(out) == Array("fix--".utf8) + one + one)
    }

    @Test func throwingPayloadLeavesBufferUnchanged() {
        struct Boom: Error {}
        var out = ByteBuffer(string: "keep")
        #expect(throws: Boom.self) {
            try EventStreamEncoder.writeEvent(type: "x", into: &out) { (b: inout ByteBuffer) throws(Boom) in
                b.writeString("partial")
                throw Boom()
            }
        }
        #expect(String(buffer: out) == "keep")
    }
}

let allTypesHeaders: [EventStreamHeader] = [
    EventStreamHeader(name: "t", value: .bool(true)),
    EventStreamHeader(name: "f", value: .bool(false)),
    EventStreamHeader(name: "b", value: .byte(-7)),
    EventStreamHeader(name: "s", value: .short(-300)),
    EventStreamHeader(name: "i", value: .integer(70000)),
    EventStreamHeader(name: "l", value: .long(-5_000_000_000)),
    EventStreamHeader(name: "ba", value: .byteArray([0x00, 0xFF, 0x10])),
    EventStreamHeader(name: "str", value: .string("héll")),
    EventStreamHeader(name: "ts", value: .timestamp(1_748_779_200_123)),
    EventStreamHeader(name: "id", value: .uuid(Array(0..<16))),
]
