import AnthropicDialect
import SwitchyardModel

/// The Messages API's server-sent events → canonical events, through the dialect's stream decoder.
struct AnthropicStreamTranslator: StreamTranslator {
    private var decoder: AnthropicStreamDecoder

    init(provider: String, started: ContinuousClock.Instant) {
        decoder = AnthropicStreamDecoder(provider: provider, started: started)
    }

    mutating func translate(_ sse: SSEEvent) throws -> [StreamEvent] {
        try decoder.translate(sse.data)
    }

    mutating func finish() throws -> [StreamEvent] {
        try decoder.finish()
    }
}
