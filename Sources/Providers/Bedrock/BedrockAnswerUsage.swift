import Foundation
import NIOCore
import SwitchyardModel

/// Usage and stop reasons read from Bedrock's own answers as they pass through untouched: Converse's `usage`
/// object, InvokeModel's token-count headers, and the invocation metrics inside an invoke stream's last chunk.
/// Each answer is decoded into a struct naming only the members read (the decoder skips the rest) instead of being
/// bridged whole into dictionaries: passthrough is meant to be the cheapest path.
enum BedrockAnswerUsage {
    /// The members of a Converse answer or of a Converse stream event the gateway reads as it passes.
    struct ConverseMembers: Decodable {
        var usage: BedrockUsage?
        var stopReason: String?
        /// An exception event's text.
        var message: String?
        /// An invoke stream chunk's body: the model family's JSON, base64-encoded.
        var bytes: String?
    }

    /// Only for content logging: the text blocks of a Converse answer (`output.message.content[].text`) and a
    /// stream delta's text.
    struct ConverseTexts: Decodable {
        struct Output: Decodable {
            struct Message: Decodable { var content: [Block]? }
            var message: Message?
        }
        struct Block: Decodable { var text: String? }
        struct Delta: Decodable { var text: String? }

        var output: Output?
        var delta: Delta?
    }

    static func members(_ buffer: ByteBuffer) -> ConverseMembers? {
        decode(ConverseMembers.self, buffer)
    }

    static func texts(_ buffer: ByteBuffer) -> ConverseTexts? {
        decode(ConverseTexts.self, buffer)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) -> T? {
        try? JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
    }

    /// Converse and ConverseStream `metadata`: `{"usage": {"inputTokens", "outputTokens", "cacheReadInputTokens", …}}`.
    /// Bedrock's `inputTokens` already leaves cached tokens out, as the canonical usage does.
    static func converse(_ members: ConverseMembers) -> Usage? {
        members.usage?.canonical
    }

    static func converseTexts(_ texts: ConverseTexts) -> [String] {
        (texts.output?.message?.content ?? []).compactMap(\.text)
    }

    /// What the gateway reads of the family's JSON inside an invoke stream chunk: the invocation metrics Bedrock adds
    /// to the last chunk, and the stop reason as each family names it (Anthropic's `message_delta`, Converse-shaped
    /// `stopReason`, Nova, Llama/Mistral `stop_reason`, Titan `completionReason`, Mistral's `outputs`). Each member is
    /// read on its own, so one of an unexpected type loses only itself.
    struct InvokeChunkMembers: Decodable {
        struct Metrics: Decodable {
            var inputTokenCount: Int?
            var outputTokenCount: Int?
            var cacheReadInputTokenCount: Int?
            var cacheWriteInputTokenCount: Int?
        }

        var metrics: Metrics?
        var stopReason: String?

        enum Keys: String, CodingKey {
            case metrics = "amazon-bedrock-invocationMetrics"
            case delta, outputs
            case stop_reason, stopReason, completionReason, finish_reason
        }

        enum ReasonKeys: String, CodingKey { case stop_reason }

        init(from decoder: any Decoder) throws {
            let members = try decoder.container(keyedBy: Keys.self)
            metrics = try? members.decodeIfPresent(Metrics.self, forKey: .metrics)
            var reason = try? members.nestedContainer(keyedBy: ReasonKeys.self, forKey: .delta).decodeIfPresent(String.self, forKey: .stop_reason)
            for key in [Keys.stop_reason, .stopReason, .completionReason, .finish_reason] where reason == nil {
                reason = try? members.decodeIfPresent(String.self, forKey: key)
            }
            if reason == nil, var outputs = try? members.nestedUnkeyedContainer(forKey: .outputs), !outputs.isAtEnd {
                reason = try? outputs.nestedContainer(keyedBy: ReasonKeys.self).decodeIfPresent(String.self, forKey: .stop_reason)
            }
            stopReason = reason
        }

        var usage: Usage? {
            metrics.map {
                Usage(
                    inputTokens: $0.inputTokenCount ?? 0, outputTokens: $0.outputTokenCount ?? 0,
                    cacheReadTokens: $0.cacheReadInputTokenCount ?? 0, cacheWriteTokens: $0.cacheWriteInputTokenCount ?? 0)
            }
        }
    }

    /// The family's JSON inside an invoke stream chunk, decoded only when it may hold what the gateway reads: most
    /// chunks are text deltas with neither metrics nor a stop reason.
    static func invokeChunk(_ bytes: Data) -> InvokeChunkMembers? {
        let mayMatter = bytes.withUnsafeBytes { raw -> Bool in
            let json = raw.bindMemory(to: UInt8.self)
            return sniffedKeys.contains { key in key.withUTF8Buffer { JSONMemberSniffer.hasValue($0, in: json) } }
        }
        guard mayMatter else { return nil }
        return try? JSONDecoder().decode(InvokeChunkMembers.self, from: bytes)
    }

    private static let sniffedKeys: [StaticString] = [
        "amazon-bedrock-invocationMetrics", "stop_reason", "stopReason", "completionReason", "finish_reason",
    ]

    /// InvokeModel answers count their tokens in headers, whatever the family's body looks like.
    static func invokeHeaders(_ headers: [(String, String)]) -> Usage? {
        func value(_ name: String) -> Int? { headers.first { $0.0.lowercased() == name }.flatMap { Int($0.1) } }
        guard let input = value("x-amzn-bedrock-input-token-count") else { return nil }
        return Usage(
            inputTokens: input, outputTokens: value("x-amzn-bedrock-output-token-count") ?? 0,
            cacheReadTokens: value("x-amzn-bedrock-cache-read-input-token-count") ?? 0,
            cacheWriteTokens: value("x-amzn-bedrock-cache-write-input-token-count") ?? 0)
    }
}
