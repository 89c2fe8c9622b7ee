import SwitchyardModel
import GeminiDialect

/// `:streamGenerateContent?alt=sse` events → canonical events: each event's data is one chunk, which the dialect's
/// `GeminiStreamReader` reads. The stream has no terminator, so a body that ends before the chunk with a finish
/// reason was cut short.
struct GeminiStreamTranslator: StreamTranslator {
    let provider: String
    let started: ContinuousClock.Instant
    private var reader: GeminiStreamReader

    init(provider: String, started: ContinuousClock.Instant, history: [Message]) {
        self.provider = provider
        self.started = started
        self.reader = GeminiStreamReader(provider: provider, history: history)
    }

    mutating func translate(_ event: SSEEvent) throws -> [StreamEvent] {
        try reader.read(try JSONCoding.decode(GeminiResponse.self, from: event.data, provider: provider))
    }

    mutating func finish() throws -> [StreamEvent] {
        guard reader.stopped else {
            throw GatewayError(.streamFailed, "provider '\(provider)' ended the stream before the answer was complete")
        }
        let latency = Int((ContinuousClock.now - started) / .milliseconds(1))
        return [.metadata(reader.usage, latencyMs: latency)]
    }
}
