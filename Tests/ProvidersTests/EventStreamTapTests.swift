import AWSWire
import Foundation
import NIOCore
import SwitchyardModel
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

    static func event(_ type: String, _ json: String) -> ByteBuffer {
        var out = ByteBuffer()
        EventStreamEncoder.writeEvent(type: type, into: &out) { $0.writeString(json) }
        return out
    }

    static func chunk(_ familyJSON: String) -> ByteBuffer {
        event("chunk", #"{"bytes":"\#(Data(familyJSON.utf8).base64EncodedString())"}"#)
    }

    static func read(_ frames: [ByteBuffer], capturing: Bool = true) -> AnthropicStreamTapTests.Observed {
        let observed = AnthropicStreamTapTests.Observed()
        var tap = EventStreamTap(provider: "bedrock", observer: observed, capturesContent: capturing)
        for frame in frames { _ = tap.observe(frame) }
        _ = tap.finish()
        return observed
    }

    @Test func aConverseStreamsUsageStopAndTextAreReadAsTheyPass() {
        let seen = Self.read([
            Self.event("messageStart", #"{"role":"assistant"}"#),
            Self.event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"text":"Bonjour"}}"#),
            Self.event("messageStop", #"{"stopReason":"max_tokens"}"#),
            Self.event("metadata", #"{"usage":{"inputTokens":12,"outputTokens":7,"cacheReadInputTokens":3,"totalTokens":22},"metrics":{"latencyMs":5}}"#),
        ]).state.withLock { $0 }
        #expect(seen.usage == Usage(inputTokens: 12, outputTokens: 7, cacheReadTokens: 3))
        #expect(seen.stop == "max_tokens" && seen.text == "Bonjour" && seen.failure == nil)
    }

    @Test func anInvokeStreamsMetricsComeFromTheLastChunkAndDeltasAreNotDecoded() {
        let seen = Self.read([
            Self.chunk(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"stop_reason "x""}}"#),
            Self.chunk(#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}}"#),
            Self.chunk(#"{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":5,"outputTokenCount":4,"cacheReadInputTokenCount":2}}"#),
        ], capturing: false).state.withLock { $0 }
        #expect(seen.usage == Usage(inputTokens: 5, outputTokens: 4, cacheReadTokens: 2))
        #expect(seen.stop == "end_turn")
    }

    @Test func aStreamExceptionIsReadWithItsMessage() {
        var exception = ByteBuffer()
        EventStreamEncoder.writeException(type: "throttlingException", into: &exception) { $0.writeString(#"{"message":"Too many tokens"}"#) }
        let seen = Self.read([exception]).state.withLock { $0 }
        #expect(seen.failure?.message == "Too many tokens")
        #expect(seen.failure?.upstreamCode == "throttlingException")
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
