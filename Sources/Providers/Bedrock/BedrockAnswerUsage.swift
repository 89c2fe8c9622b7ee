import Foundation
import NIOCore
import SwitchyardModel

/// Usage and stop reasons read from Bedrock's own answers as they pass through untouched: Converse's `usage`
/// object, InvokeModel's token-count headers, and the invocation metrics inside an invoke stream's last chunk.
enum BedrockAnswerUsage {
    static func object(_ buffer: ByteBuffer) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any]
    }

    /// Converse and ConverseStream `metadata`: `{"usage": {"inputTokens", "outputTokens", "cacheReadInputTokens", …}}`.
    /// Bedrock's `inputTokens` already leaves cached tokens out, as the canonical usage does.
    static func converse(_ object: [String: Any]) -> Usage? {
        guard let usage = object["usage"] as? [String: Any] else { return nil }
        return Usage(
            inputTokens: int(usage["inputTokens"]), outputTokens: int(usage["outputTokens"]),
            cacheReadTokens: int(usage["cacheReadInputTokens"]), cacheWriteTokens: int(usage["cacheWriteInputTokens"]))
    }

    /// The text blocks of a Converse answer (`output.message.content[].text`), for content logging.
    static func converseTexts(_ object: [String: Any]) -> [String] {
        let message = (object["output"] as? [String: Any])?["message"] as? [String: Any]
        return (message?["content"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
    }

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
