import AWSWire
import Foundation
import NIOCore
import SwitchyardModel

/// Writes Converse JSON straight into a ByteBuffer. Responses and stream events are written by hand rather
/// than through JSONEncoder: stream deltas are per-token, and key order stays fixed.
enum ConverseJSONWriter {
    static func writeBase64(_ data: Data, into b: inout ByteBuffer) {
        b.writeStaticString("\"")
        b.writeString(data.base64EncodedString())
        b.writeStaticString("\"")
    }

    static func stopReason(_ reason: StopReason) -> StaticString { reason.name }

    /// `{"inputTokens":…,"outputTokens":…,"totalTokens":…}` plus the cache counts when they are non-zero.
    static func writeUsage(_ usage: Usage, into b: inout ByteBuffer) {
        b.writeStaticString("{\"inputTokens\":")
        b.writeJSONInt(usage.inputTokens)
        b.writeStaticString(",\"outputTokens\":")
        b.writeJSONInt(usage.outputTokens)
        b.writeStaticString(",\"totalTokens\":")
        b.writeJSONInt(usage.totalTokens)
        if usage.cacheReadTokens != 0 {
            b.writeStaticString(",\"cacheReadInputTokens\":")
            b.writeJSONInt(usage.cacheReadTokens)
        }
        if usage.cacheWriteTokens != 0 {
            b.writeStaticString(",\"cacheWriteInputTokens\":")
            b.writeJSONInt(usage.cacheWriteTokens)
        }
        b.writeStaticString("}")
    }

    static func writeContentBlock(_ part: ContentPart, into b: inout ByteBuffer) {
        switch part {
        case .text(let text):
            b.writeStaticString("{\"text\":")
            b.writeJSONString(text)
            b.writeStaticString("}")
        case .image(let image):
            b.writeStaticString("{\"image\":")
            writeImage(image, into: &b)
            b.writeStaticString("}")
        case .document(let document):
            b.writeStaticString("{\"document\":")
            writeDocument(document, into: &b)
            b.writeStaticString("}")
        case .toolUse(let use):
            b.writeStaticString("{\"toolUse\":{\"toolUseId\":")
            b.writeJSONString(use.id)
            b.writeStaticString(",\"name\":")
            b.writeJSONString(use.name)
            b.writeStaticString(",\"input\":")
            b.writeJSONValue(use.input)
            b.writeStaticString("}}")
        case .toolResult(let result):
            writeToolResult(result, into: &b)
        case .reasoning(.text(let text, let signature)):
            b.writeStaticString("{\"reasoningContent\":{\"reasoningText\":{\"text\":")
            b.writeJSONString(text)
            if let signature {
                b.writeStaticString(",\"signature\":")
                b.writeJSONString(signature)
            }
            b.writeStaticString("}}}")
        case .reasoning(.redacted(let data)):
            b.writeStaticString("{\"reasoningContent\":{\"redactedContent\":")
            writeBase64(data, into: &b)
            b.writeStaticString("}}")
        case .cachePoint(let point):
            b.writeStaticString("{\"cachePoint\":")
            writeCachePoint(point, into: &b)
            b.writeStaticString("}")
        }
    }

    static func writeCachePoint(_ point: CachePoint, into b: inout ByteBuffer) {
        b.writeStaticString("{\"type\":\"default\"")
        if let ttl = point.ttl {
            b.writeStaticString(",\"ttl\":")
            b.writeJSONString(ttl)
        }
        b.writeStaticString("}")
    }

    private static func writeImage(_ image: ImagePart, into b: inout ByteBuffer) {
        b.writeStaticString("{\"format\":")
        b.writeJSONString(image.format.rawValue)
        b.writeStaticString(",\"source\":{\"bytes\":")
        writeBase64(image.data, into: &b)
        b.writeStaticString("}}")
    }

    private static func writeDocument(_ document: DocumentPart, into b: inout ByteBuffer) {
        b.writeStaticString("{\"format\":")
        b.writeJSONString(document.format.rawValue)
        b.writeStaticString(",\"name\":")
        b.writeJSONString(document.name)
        switch document.source {
        case .bytes(let data):
            b.writeStaticString(",\"source\":{\"bytes\":")
            writeBase64(data, into: &b)
        case .text(let text):
            b.writeStaticString(",\"source\":{\"text\":")
            b.writeJSONString(text)
        }
        b.writeStaticString("}}")
    }

    private static func writeToolResult(_ result: ToolResult, into b: inout ByteBuffer) {
        b.writeStaticString("{\"toolResult\":{\"toolUseId\":")
        b.writeJSONString(result.toolUseId)
        b.writeStaticString(",\"content\":[")
        for (i, content) in result.content.enumerated() {
            if i > 0 { b.writeStaticString(",") }
            switch content {
            case .text(let text):
                b.writeStaticString("{\"text\":")
                b.writeJSONString(text)
            case .json(let value):
                b.writeStaticString("{\"json\":")
                b.writeJSONValue(value)
            case .image(let image):
                b.writeStaticString("{\"image\":")
                writeImage(image, into: &b)
            case .document(let document):
                b.writeStaticString("{\"document\":")
                writeDocument(document, into: &b)
            }
            b.writeStaticString("}")
        }
        b.writeStaticString("],\"status\":")
        b.writeStaticString(result.isError ? "\"error\"" : "\"success\"")
        b.writeStaticString("}}")
    }

    /// A ContentBlockDelta union value; Converse streams and Nova's invoke chunks share it.
    static func writeBlockDelta(_ delta: BlockDelta, into b: inout ByteBuffer) {
        switch delta {
        case .text(let text):
            b.writeStaticString("{\"text\":")
            b.writeJSONString(text)
            b.writeStaticString("}")
        case .toolInput(let fragment):
            b.writeStaticString("{\"toolUse\":{\"input\":")
            b.writeJSONString(fragment)
            b.writeStaticString("}}")
        case .reasoningText(let text):
            b.writeStaticString("{\"reasoningContent\":{\"text\":")
            b.writeJSONString(text)
            b.writeStaticString("}}")
        case .reasoningSignature(let signature):
            b.writeStaticString("{\"reasoningContent\":{\"signature\":")
            b.writeJSONString(signature)
            b.writeStaticString("}}")
        case .redactedReasoning(let data):
            b.writeStaticString("{\"reasoningContent\":{\"redactedContent\":")
            ConverseJSONWriter.writeBase64(data, into: &b)
            b.writeStaticString("}}")
        }
    }
}
