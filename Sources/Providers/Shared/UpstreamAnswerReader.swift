import AWSWire
import AnthropicDialect
import GeminiDialect
import NIOCore
import OpenAIDialect
import SwitchyardModel

/// What the providers make of an upstream answer, without the HTTP exchange around it: the same decoders and stream
/// translators `complete` and `stream` use, for the fuzz harness to drive with arbitrary bytes.
package enum UpstreamAnswerReader {
    package enum Wire: String, CaseIterable, Sendable {
        case openai, anthropic, gemini, bedrock
    }

    /// A non-streaming answer body, as `complete` reads it.
    package static func complete(_ wire: Wire, body: ByteBuffer) throws -> ChatResponse {
        let provider = "fuzz-\(wire.rawValue)"
        switch wire {
        case .openai:
            return try JSONCoding.decode(OpenAIChatResponse.self, from: body, provider: provider).canonical(latencyMs: 0)
        case .anthropic:
            return try JSONCoding.decode(AnthropicAnswer.self, from: body, provider: provider).canonical(latencyMs: 0)
        case .gemini:
            return GeminiProvider.response(
                try JSONCoding.decode(GeminiResponse.self, from: body, provider: provider), history: [], latencyMs: 0)
        case .bedrock:
            return try JSONCoding.decode(BedrockConverseAnswer.self, from: body, provider: provider).canonical(latencyMs: 0)
        }
    }

    /// A streaming answer arriving in `chunks`: server-sent events for the first-party providers, an event stream for
    /// Bedrock, through the same parser and translator `stream` uses, including the end-of-stream check.
    package static func stream(_ wire: Wire, chunks: [ByteBuffer]) throws -> [StreamEvent] {
        let provider = "fuzz-\(wire.rawValue)"
        switch wire {
        case .openai: return try sse(chunks, OpenAIStreamTranslator(provider: provider, started: .now))
        case .anthropic: return try sse(chunks, AnthropicStreamTranslator(provider: provider, started: .now))
        case .gemini: return try sse(chunks, GeminiStreamTranslator(provider: provider, started: .now, history: []))
        case .bedrock:
            var decoder = EventStreamDecoder()
            var translator = BedrockStreamTranslator(provider: provider)
            var out: [StreamEvent] = []
            for chunk in chunks {
                for message in try decoder.decode(chunk) { out += try translator.translate(message) }
            }
            try translator.finish()
            return out
        }
    }

    private static func sse(_ chunks: [ByteBuffer], _ translator: some StreamTranslator) throws -> [StreamEvent] {
        var parser = SSEParser()
        var translator = translator
        var out: [StreamEvent] = []
        for chunk in chunks {
            for event in try parser.feed(chunk.readableBytesView) { out += try translator.translate(event) }
        }
        if let event = try parser.finish() { out += try translator.translate(event) }
        return out + (try translator.finish())
    }
}
