import AWSWire
import Foundation
import NIOCore
import SwitchyardModel

/// The dialect's JSON writing: answers and stream events are written by hand into buffers (per token on a stream,
/// with a fixed member order), documents in tool results as sorted-key text.
enum AnthropicJSON {
    static func write(_ value: JSONValue, into b: inout ByteBuffer) {
        switch value {
        case .null: b.writeStaticString("null")
        case .bool(let v): b.writeStaticString(v ? "true" : "false")
        case .number(let n): writeNumber(n, into: &b)
        case .string(let s): b.writeJSONString(s)
        case .array(let items):
            b.writeStaticString("[")
            for (i, item) in items.enumerated() {
                if i > 0 { b.writeStaticString(",") }
                write(item, into: &b)
            }
            b.writeStaticString("]")
        case .object(let members):
            b.writeStaticString("{")
            var first = true
            for (key, member) in members {
                if !first { b.writeStaticString(",") }
                first = false
                b.writeJSONString(key)
                b.writeStaticString(":")
                write(member, into: &b)
            }
            b.writeStaticString("}")
        }
    }

    /// Integers (token counts) go out without a fraction; non-finite values have no JSON form.
    static func writeNumber(_ n: Double, into b: inout ByteBuffer) {
        if n.rounded() == n, abs(n) < 9.0e15 {
            b.writeString(String(Int64(n)))
        } else if n.isFinite {
            b.writeString(String(n))
        } else {
            b.writeStaticString("null")
        }
    }

    static func writeInt(_ n: Int, into b: inout ByteBuffer) {
        b.writeString(String(n))
    }

    /// Sorted keys, so the same document always gives the same text.
    static func documentText(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
