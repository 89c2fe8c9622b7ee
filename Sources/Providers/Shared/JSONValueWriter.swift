import AWSWire
import NIOCore
import SwitchyardModel

/// Writes a JSON document straight into a buffer: request bodies are built as `JSONValue` trees on every call,
/// and going through `JSONEncoder` for each node costs more than the upstream round trip on a fast network.
enum JSONValueWriter {
    static func buffer(_ value: JSONValue, capacity: Int = 1024) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(capacity)
        write(value, into: &buffer)
        return buffer
    }

    static func write(_ value: JSONValue, into buffer: inout ByteBuffer) {
        switch value {
        case .null: buffer.writeStaticString("null")
        case .bool(let b): buffer.writeStaticString(b ? "true" : "false")
        case .number(let n): writeNumber(n, into: &buffer)
        case .string(let s): buffer.writeJSONString(s)
        case .array(let items):
            buffer.writeInteger(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                write(item, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .object(let members):
            buffer.writeInteger(UInt8(ascii: "{"))
            var first = true
            for (key, member) in members {
                if !first { buffer.writeInteger(UInt8(ascii: ",")) }
                first = false
                buffer.writeJSONString(key)
                buffer.writeInteger(UInt8(ascii: ":"))
                write(member, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    static func writeNumber(_ n: Double, into buffer: inout ByteBuffer) {
        guard n.isFinite else {
            buffer.writeStaticString("null")
            return
        }
        // Integers (token counts, sizes) go out without a fraction; the rest in Swift's shortest round-trip form,
        // which is valid JSON.
        if n.rounded() == n, abs(n) < 9.0e15 {
            buffer.writeString(String(Int64(n)))
        } else {
            buffer.writeString(String(n))
        }
    }
}
