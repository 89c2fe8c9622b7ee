import NIOCore
import SwitchyardModel

/// Request bodies built as `JSONValue` trees, written with the shared byte writer (`ByteBuffer.writeJSONValue`)
/// rather than `JSONEncoder`, whose cost per node exceeds a fast upstream's round trip.
enum JSONValueWriter {
    static func buffer(_ value: JSONValue, capacity: Int = 1024) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(capacity)
        buffer.writeJSONValue(value)
        return buffer
    }

    static func write(_ value: JSONValue, into buffer: inout ByteBuffer) {
        buffer.writeJSONValue(value)
    }
}
