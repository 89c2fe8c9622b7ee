import NIOCore
import SwitchyardModel
import Synchronization
import Testing

@testable import Providers

/// What a passthrough of the Anthropic door reads on the side of the bytes it forwards.
@Suite struct AnthropicStreamTapTests {
    final class Observed: CallObserver {
        let state = Mutex<(usage: Usage?, stop: String?, failure: GatewayError?, text: String)>((nil, nil, nil, ""))
        func observeFirstByte() {}
        func observeUsage(_ usage: Usage) { state.withLock { $0.usage = usage } }
        func observeStop(_ reason: String) { state.withLock { $0.stop = reason } }
        func observeFailure(_ error: GatewayError) { state.withLock { $0.failure = error } }
        var answerCaptureBytes: Int? { 1000 }
        func observeAnswerText(_ text: String) { state.withLock { $0.text += text } }
    }

    static let stream = [
        #"event: message_start"#, #"data: {"type":"message_start","message":{"usage":{"input_tokens":20,"cache_read_input_tokens":5,"output_tokens":1}}}"#, "",
        #"event: content_block_delta"#, #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#, "",
        #"event: message_delta"#, #"data: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":9}}"#, "",
        #"event: message_stop"#, #"data: {"type":"message_stop"}"#, "", "",
    ].joined(separator: "\n")

    /// Chunks cut anywhere, even inside a line: the tap reads whole events all the same.
    @Test(arguments: [1, 7, 64, 4096])
    func usageAndStopFromMessageStartAndMessageDelta(chunkSize: Int) {
        let observed = Observed()
        var tap = AnthropicStreamTap(provider: "anthropic", observer: observed, maxEventBytes: 1 << 20, capturesContent: true)
        let bytes = Array(Self.stream.utf8)
        for start in stride(from: 0, to: bytes.count, by: chunkSize) {
            tap.observe(ByteBuffer(bytes: bytes[start..<min(start + chunkSize, bytes.count)]))
        }
        tap.finish()
        let seen = observed.state.withLock { $0 }
        #expect(seen.usage == Usage(inputTokens: 20, outputTokens: 9, cacheReadTokens: 5))
        #expect(seen.stop == "max_tokens" && seen.text == "Hi" && seen.failure == nil)
    }

    @Test func anErrorEventIsAFailureWithAnthropicsType() {
        let observed = Observed()
        var tap = AnthropicStreamTap(provider: "anthropic", observer: observed, maxEventBytes: 1 << 20, capturesContent: false)
        tap.observe(ByteBuffer(string: "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"))
        let failure = observed.state.withLock { $0.failure }
        #expect(failure?.kind == .unavailable && failure?.upstreamCode == "overloaded_error")
    }
}
