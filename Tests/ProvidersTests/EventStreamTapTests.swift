import AWSWire
import NIOCore
import Testing

@testable import Providers

@Suite struct EventStreamTapTests {
    static func frame(_ text: String) -> ByteBuffer {
        var out = ByteBuffer()
        EventStreamEncoder.writeEvent(type: "contentBlockDelta", into: &out) { $0.writeString(#"{"delta":{"text":"\#(text)"}}"#) }
        return out
    }

    /// A prelude announcing a 2 GiB frame, with a correct prelude checksum, and a little of its "payload".
    static func oversizedStart() -> ByteBuffer {
        var prelude = ByteBuffer()
        prelude.writeInteger(UInt32(2 << 30))
        prelude.writeInteger(UInt32(0))
        let crc = prelude.withUnsafeReadableBytes { CRC32.checksum($0) }
        prelude.writeInteger(crc)
        prelude.writeRepeatingByte(0, count: 100)
        return prelude
    }

    @Test func framesPassUntouchedWhateverTheChunking() {
        var stream = Self.frame("one")
        var second = Self.frame("two")
        stream.writeBuffer(&second)
        let bytes = Array(stream.readableBytesView)
        for split in 0...bytes.count {
            var tap = EventStreamTap(provider: "bedrock")
            var out: [UInt8] = []
            for part in [bytes[..<split], bytes[split...]] {
                let passage = tap.observe(ByteBuffer(bytes: part))
                #expect(passage.ending == nil)
                out += passage.forward.readableBytesView
            }
            out += tap.finish().readableBytesView
            #expect(out == bytes, "split at \(split)")
        }
    }

    @Test func anOversizedFrameIsRefusedBeforeAnyOfItsBytesGoOn() throws {
        let good = Self.frame("Hello")
        var stream = good
        var bad = Self.oversizedStart()
        stream.writeBuffer(&bad)
        let bytes = Array(stream.readableBytesView)
        // Wherever the chunks split (inside the good frame, inside the bad prelude), only the good frame goes on.
        for split in [1, good.readableBytes - 1, good.readableBytes, good.readableBytes + 5, bytes.count] {
            var tap = EventStreamTap(provider: "bedrock")
            var out: [UInt8] = []
            var ending: ByteBuffer?
            for part in [bytes[..<split], bytes[split...]] where ending == nil {
                let passage = tap.observe(ByteBuffer(bytes: part))
                out += passage.forward.readableBytesView
                ending = passage.ending
            }
            #expect(out == Array(good.readableBytesView), "split at \(split)")
            var decoder = EventStreamDecoder()
            let refusal = try #require(ending)
            let messages = try decoder.decode(refusal)
            let message = try #require(messages.first)
            #expect(message.exceptionType == "modelStreamErrorException")
            #expect(String(buffer: message.payload).contains("2147483632 bytes"))
        }
    }
}
