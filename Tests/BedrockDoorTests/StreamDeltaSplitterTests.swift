import AWSWire
import Foundation
import NIOCore
import SwitchyardModel
import Testing

@testable import BedrockDoor

@Suite struct StreamDeltaSplitterTests {
    @Test func piecesNeverCutACharacterAndConcatenateToTheText() {
        let text = String(repeating: "aé€😀", count: 1000)  // 1-, 2-, 3- and 4-byte characters
        for maxBytes in 4...13 {
            let pieces = StreamDeltaSplitter.pieces(text, maxBytes: maxBytes)
            #expect(pieces.joined() == text)
            #expect(pieces.allSatisfy { $0.utf8.count <= maxBytes && !$0.isEmpty })
        }
    }

    @Test func shortDeltasAndOpaqueValuesStayWhole() {
        let short = StreamEvent.blockDelta(index: 2, .text("hi"))
        #expect(StreamDeltaSplitter.split(short, maxPieceBytes: 4) == [short])
        let signature = StreamEvent.blockDelta(index: 0, .reasoningSignature(String(repeating: "s", count: 50)))
        #expect(StreamDeltaSplitter.split(signature, maxPieceBytes: 4) == [signature])
        #expect(StreamDeltaSplitter.split(.blockStop(index: 1), maxPieceBytes: 4) == [.blockStop(index: 1)])
    }

    @Test func longToolInputAndReasoningAreSplitInTheirOwnBlock() {
        let input = StreamDeltaSplitter.split(.blockDelta(index: 3, .toolInput("{\"a\":12345}")), maxPieceBytes: 4)
        #expect(input == ["{\"a\"", ":123", "45}"].map { .blockDelta(index: 3, .toolInput($0)) })
        let reasoning = StreamDeltaSplitter.split(.blockDelta(index: 0, .reasoningText("abcdef")), maxPieceBytes: 4)
        #expect(reasoning == [.blockDelta(index: 0, .reasoningText("abcd")), .blockDelta(index: 0, .reasoningText("ef"))])
    }

    /// A text delta longer than a piece comes out as several frames that a decoder with botocore's limits
    /// (EventStreamDecoder) accepts, whose texts rebuild the delta.
    @Test func aLongTextDeltaBecomesSeveralFrames() throws {
        let text = String(repeating: "x", count: 5 << 20)
        var converse = ByteBuffer()
        ConverseStreamEncoder.write(.blockDelta(index: 0, .text(text)), into: &converse)
        var decoder = EventStreamDecoder()
        let messages = try decoder.decode(converse)
        #expect(messages.count == 3)
        var rebuilt = ""
        for message in messages {
            #expect(message.eventType == "contentBlockDelta")
            let object = try JSONSerialization.jsonObject(with: Data(message.payload.readableBytesView)) as? [String: Any]
            rebuilt += try #require((object?["delta"] as? [String: Any])?["text"] as? String)
        }
        #expect(rebuilt == text)
    }

    @Test func invokeChunksOfALongDeltaFitTheirFrames() throws {
        let text = String(repeating: "x", count: 3 << 20)
        var encoder = try #require(InvokeFamily.llama.chunkEncoder(modelId: "meta.llama3-2-1b-instruct-v1:0"))
        var chunks: [ByteBuffer] = []
        encoder.encode(.blockDelta(index: 0, .text(text)), into: &chunks)
        #expect(chunks.count == 2)
        var frames = ByteBuffer()
        for chunk in chunks { InvokeStreamFrames.writeChunk(chunk, into: &frames) }
        var decoder = EventStreamDecoder()
        #expect(try decoder.decode(frames).count == 2)
    }
}
