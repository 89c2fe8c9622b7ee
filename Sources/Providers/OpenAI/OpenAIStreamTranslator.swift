import OpenAIDialect
import SwitchyardModel

/// The SSE pump's side of the OpenAI dialect's chunk reader.
struct OpenAIStreamTranslator: StreamTranslator {
    var reader: OpenAIChunkReader

    init(provider: String, started: ContinuousClock.Instant) {
        reader = OpenAIChunkReader(provider: provider, started: started)
    }

    mutating func translate(_ event: SSEEvent) throws -> [StreamEvent] { try reader.read(event.data) }

    mutating func finish() throws -> [StreamEvent] { try reader.finish() }
}
