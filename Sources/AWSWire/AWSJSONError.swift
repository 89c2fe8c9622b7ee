import NIOCore
import SwitchyardModel

/// An AWS rest-json error response. botocore takes the code from `x-amzn-ErrorType` and the message from
/// the body's `message`; the class it raises depends only on the code.
public struct AWSJSONError: Error, Sendable, Hashable {
    public var code: String
    public var message: String
    public var status: Int

    public init(code: String, message: String, status: Int) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var headers: [(name: String, value: String)] {
        [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    }

    /// `{"message":"…"}`
    public func writeBody(into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"message\":")
        buffer.writeJSONString(message)
        buffer.writeStaticString("}")
    }

    public var bodyBuffer: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(message.utf8.count + 16)
        writeBody(into: &buffer)
        return buffer
    }

    public var body: [UInt8] {
        let buffer = bodyBuffer
        return buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes)!
    }
}
