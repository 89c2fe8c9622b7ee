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
        struct Tokens: Decodable {
            var inputTokens: Int?
            var outputTokens: Int?
            var cacheReadInputTokens: Int?
            var cacheWriteInputTokens: Int?
        }

        var usage: Tokens?
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
        guard let usage = members.usage else { return nil }
        return Usage(
            inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0,
            cacheReadTokens: usage.cacheReadInputTokens ?? 0, cacheWriteTokens: usage.cacheWriteInputTokens ?? 0)
    }

    static func converseTexts(_ texts: ConverseTexts) -> [String] {
        (texts.output?.message?.content ?? []).compactMap(\.text)
    }

    /// The family's JSON inside an invoke stream chunk, decoded only when it may hold what the gateway reads: most
    /// chunks are text deltas with neither metrics nor a stop reason.
    static func invokeChunkBody(_ bytes: Data) -> [String: Any]? {
        let mayMatter = bytes.withUnsafeBytes { raw -> Bool in
            let json = raw.bindMemory(to: UInt8.self)
            return stopKeys.contains { key in key.withUTF8Buffer { JSONMemberSniffer.hasValue($0, in: json) } }
        }
        guard mayMatter else { return nil }
        return (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any]
    }

    private static let stopKeys: [StaticString] = [
        "amazon-bedrock-invocationMetrics", "stop_reason", "stopReason", "completionReason", "finish_reason",
    ]

    /// `amazon-bedrock-invocationMetrics` in the last chunk of an invoke stream.
    static func invocationMetrics(_ inner: [String: Any]) -> Usage? {
        guard let metrics = inner["amazon-bedrock-invocationMetrics"] as? [String: Any] else { return nil }
        return Usage(
            inputTokens: int(metrics["inputTokenCount"]), outputTokens: int(metrics["outputTokenCount"]),
            cacheReadTokens: int(metrics["cacheReadInputTokenCount"]), cacheWriteTokens: int(metrics["cacheWriteInputTokenCount"]))
    }

    /// InvokeModel answers count their tokens in headers, whatever the family's body looks like.
    static func invokeHeaders(_ headers: [(String, String)]) -> Usage? {
        func value(_ name: String) -> Int? { headers.first { $0.0.lowercased() == name }.flatMap { Int($0.1) } }
        guard let input = value("x-amzn-bedrock-input-token-count") else { return nil }
        return Usage(
            inputTokens: input, outputTokens: value("x-amzn-bedrock-output-token-count") ?? 0,
            cacheReadTokens: value("x-amzn-bedrock-cache-read-input-token-count") ?? 0,
            cacheWriteTokens: value("x-amzn-bedrock-cache-write-input-token-count") ?? 0)
    }

    /// The stop reason as each family names it: Anthropic's `message_delta`, Converse-shaped `stopReason`, Nova,
    /// Llama/Mistral `stop_reason`, Titan `completionReason`.
    static func stopReason(inInvokeChunk inner: [String: Any]) -> String? {
        if let delta = inner["delta"] as? [String: Any], let reason = delta["stop_reason"] as? String { return reason }
        for key in ["stop_reason", "stopReason", "completionReason", "finish_reason"] {
            if let reason = inner[key] as? String { return reason }
        }
        if let outputs = inner["outputs"] as? [[String: Any]], let reason = outputs.first?["stop_reason"] as? String { return reason }
        return nil
    }

    private static func int(_ value: Any?) -> Int {
        (value as? Int) ?? (value as? NSNumber)?.intValue ?? 0
    }
}
