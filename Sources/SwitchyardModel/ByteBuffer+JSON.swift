import Foundation
import NIOCore

extension ByteBuffer {
    /// Writes `string` as a quoted JSON string. Runs of bytes that need no escaping are copied in one go;
    /// non-ASCII UTF-8 passes through unchanged (JSON text is UTF-8), so only `"`, `\` and control
    /// characters are escaped.
    @discardableResult
    public mutating func writeJSONString(_ string: String) -> Int {
        let before = writerIndex
        var string = string
        string.withUTF8 { utf8 in
            reserveCapacity(minimumWritableBytes: utf8.count + 2)
            writeInteger(UInt8(ascii: "\""))
            var runStart = 0
            for i in 0..<utf8.count {
                let byte = utf8[i]
                if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") { continue }
                if i > runStart { writeBytes(UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                writeJSONEscape(byte)
                runStart = i + 1
            }
            if utf8.count > runStart { writeBytes(UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count])) }
            writeInteger(UInt8(ascii: "\""))
        }
        return writerIndex - before
    }

    private mutating func writeJSONEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): writeStaticString("\\\"")
        case UInt8(ascii: "\\"): writeStaticString("\\\\")
        case 0x0A: writeStaticString("\\n")
        case 0x0D: writeStaticString("\\r")
        case 0x09: writeStaticString("\\t")
        case 0x08: writeStaticString("\\b")
        case 0x0C: writeStaticString("\\f")
        default:
            let hex: StaticString = "0123456789abcdef"
            writeStaticString("\\u00")
            writeInteger(hex.utf8Start[Int(byte >> 4)])
            writeInteger(hex.utf8Start[Int(byte & 0x0F)])
        }
    }
}

/// The one hand-written JSON writer of the hot paths (answers, stream events, upstream request bodies): going
/// through `JSONEncoder` per node costs more than a fast upstream's round trip.
extension ByteBuffer {
    /// Writes `value` as JSON; object members in the order the value holds them.
    public mutating func writeJSONValue(_ value: JSONValue) {
        switch value {
        case .null: writeStaticString("null")
        case .bool(let v): writeStaticString(v ? "true" : "false")
        case .number(let n): writeJSONNumber(n)
        case .string(let s): writeJSONString(s)
        case .array(let items):
            writeStaticString("[")
            for (i, item) in items.enumerated() {
                if i > 0 { writeStaticString(",") }
                writeJSONValue(item)
            }
            writeStaticString("]")
        case .object(let members):
            writeStaticString("{")
            var first = true
            for (key, member) in members {
                if !first { writeStaticString(",") }
                first = false
                writeJSONString(key)
                writeStaticString(":")
                writeJSONValue(member)
            }
            writeStaticString("}")
        }
    }

    /// Integers (token counts, sizes) go out without a fraction, the rest in Swift's shortest round-trip form;
    /// non-finite values have no JSON form and are written as null.
    public mutating func writeJSONNumber(_ n: Double) {
        if n.rounded() == n, abs(n) < 9.0e15 {
            writeString(String(Int64(n)))
        } else if n.isFinite {
            writeString(String(n))
        } else {
            writeStaticString("null")
        }
    }

    public mutating func writeJSONInt(_ n: Int) {
        writeString(String(n))
    }
}

extension JSONValue {
    /// The value as JSON text with sorted keys, so the same document always gives the same text (tool inputs sent
    /// as strings, JSON tool results, cache keys).
    public var documentText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
