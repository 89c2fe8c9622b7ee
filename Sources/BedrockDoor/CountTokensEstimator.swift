import NIOCore
import SwitchyardModel

/// The input-token count for providers without a counting API: about four bytes of UTF-8 per token, which is
/// what BPE tokenizers average on English text and code, plus fixed costs for the structure around the text.
///
/// `ceil(bytes / 4) + 4 per message + 8 per tool + 1600 per image`, where `bytes` counts every text the model
/// reads: system and message text, reasoning, tool-use names and inputs (as JSON), tool results, documents (binary
/// ones by their size), and tool names, descriptions and input schemas (as JSON). An image is counted at 1600,
/// the most one costs at Claude's default resolution, since its size in pixels is not known here.
public enum CountTokensEstimator {
    static let bytesPerToken = 4
    static let perMessage = 4
    static let perTool = 8
    static let perImage = 1600

    public static func estimate(_ request: ChatRequest) -> Int {
        var tally = Tally()
        for part in request.system { tally.add(part) }
        for message in request.messages {
            for part in message.content { tally.add(part) }
        }
        for tool in request.tools {
            tally.bytes += tool.name.utf8.count + (tool.description?.utf8.count ?? 0) + jsonBytes(tool.inputSchema)
        }
        let textTokens = (tally.bytes + bytesPerToken - 1) / bytesPerToken
        return textTokens + perMessage * request.messages.count + perTool * request.tools.count + perImage * tally.images
    }

    static func jsonBytes(_ value: JSONValue) -> Int {
        var b = ByteBuffer()
        ConverseJSONWriter.writeValue(value, into: &b)
        return b.readableBytes
    }

    private struct Tally {
        var bytes = 0
        var images = 0

        mutating func add(_ part: ContentPart) {
            switch part {
            case .text(let text): bytes += text.utf8.count
            case .image: images += 1
            case .document(let document): add(document)
            case .toolUse(let use): bytes += use.name.utf8.count + CountTokensEstimator.jsonBytes(use.input)
            case .toolResult(let result):
                for item in result.content {
                    switch item {
                    case .text(let text): bytes += text.utf8.count
                    case .json(let value): bytes += CountTokensEstimator.jsonBytes(value)
                    case .image: images += 1
                    case .document(let document): add(document)
                    }
                }
            case .reasoning(.text(let text, _)): bytes += text.utf8.count
            case .reasoning(.redacted(let data)): bytes += data.count
            case .cachePoint: break
            }
        }

        mutating func add(_ document: DocumentPart) {
            switch document.source {
            case .text(let text): bytes += text.utf8.count
            case .bytes(let data): bytes += data.count
            }
        }
    }
}
