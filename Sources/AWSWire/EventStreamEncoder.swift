import NIOCore

/// Writes event-stream messages straight into a caller's buffer: the prelude is reserved, headers and
/// payload are written in place, then lengths and both CRCs are patched in, so no message is assembled
/// in a temporary array first.
public enum EventStreamEncoder {
    public static let preludeLength = 12
    static let crcLength = 4

    public static func write(_ message: EventStreamMessage, into buffer: inout ByteBuffer) {
        writeMessage(
            into: &buffer,
            headers: { out in
                for header in message.headers { writeHeader(header, into: &out) }
            },
            payload: { out in
                var payload = message.payload
                out.writeBuffer(&payload)
            }
        )
    }

    /// Writes an event whose payload `payload` writes directly into `buffer`; a throw leaves `buffer` as it was.
    public static func writeEvent<E: Error>(
        type: String, into buffer: inout ByteBuffer, payload: (inout ByteBuffer) throws(E) -> Void
    ) throws(E) {
        try writeMessage(
            into: &buffer,
            headers: { out in
                writeStringHeader(EventStreamHeader.eventType, type, into: &out)
                writeStringHeader(EventStreamHeader.contentType, "application/json", into: &out)
                writeStringHeader(EventStreamHeader.messageType, "event", into: &out)
            },
            payload: payload
        )
    }

    /// Writes a modelled exception; `type` is the camelCase union member name (e.g. `throttlingException`).
    public static func writeException<E: Error>(
        type: String, into buffer: inout ByteBuffer, payload: (inout ByteBuffer) throws(E) -> Void
    ) throws(E) {
        try writeMessage(
            into: &buffer,
            headers: { out in
                writeStringHeader(EventStreamHeader.exceptionType, type, into: &out)
                writeStringHeader(EventStreamHeader.contentType, "application/json", into: &out)
                writeStringHeader(EventStreamHeader.messageType, "exception", into: &out)
            },
            payload: payload
        )
    }

    /// The general form: `headers` writes encoded headers (see `writeHeader`), `payload` the payload bytes.
    public static func writeMessage<E: Error>(
        into buffer: inout ByteBuffer,
        headers: (inout ByteBuffer) -> Void,
        payload: (inout ByteBuffer) throws(E) -> Void
    ) throws(E) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt64(0))
        buffer.writeInteger(UInt32(0))
        headers(&buffer)
        let headersLength = buffer.writerIndex - start - preludeLength
        do throws(E) {
            try payload(&buffer)
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
        let totalLength = buffer.writerIndex - start + crcLength
        precondition(totalLength <= Int(UInt32.max), "event-stream message too large")
        buffer.setInteger(UInt32(totalLength), at: start)
        buffer.setInteger(UInt32(headersLength), at: start + 4)

        let offset = start - buffer.readerIndex
        let end = buffer.writerIndex - buffer.readerIndex
        let (preludeCRC, messageCRC) = buffer.withUnsafeReadableBytes { raw in
            let prelude = CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 8)]))
            var message = CRC32(prelude)
            // The message CRC covers the prelude CRC too, which is not written yet: feed it by value.
            withUnsafeBytes(of: prelude.bigEndian) { message.update($0) }
            message.update(UnsafeRawBufferPointer(rebasing: raw[(offset + preludeLength)..<end]))
            return (prelude, message.value)
        }
        buffer.setInteger(preludeCRC, at: start + 8)
        buffer.writeInteger(messageCRC)
    }

    public static func writeHeader(_ header: EventStreamHeader, into buffer: inout ByteBuffer) {
        writeName(header.name, into: &buffer)
        buffer.writeInteger(header.value.typeByte)
        switch header.value {
        case .bool: break
        case .byte(let v): buffer.writeInteger(v)
        case .short(let v): buffer.writeInteger(v)
        case .integer(let v): buffer.writeInteger(v)
        case .long(let v): buffer.writeInteger(v)
        case .timestamp(let v): buffer.writeInteger(v)
        case .byteArray(let bytes):
            precondition(bytes.count <= Int(UInt16.max), "event-stream header value longer than 65535 bytes")
            buffer.writeInteger(UInt16(bytes.count))
            buffer.writeBytes(bytes)
        case .string(let s):
            let count = s.utf8.count
            precondition(count <= Int(UInt16.max), "event-stream header value longer than 65535 bytes")
            buffer.writeInteger(UInt16(count))
            buffer.writeString(s)
        case .uuid(let bytes):
            precondition(bytes.count == 16, "a uuid header value is 16 bytes")
            buffer.writeBytes(bytes)
        }
    }

    public static func writeStringHeader(_ name: String, _ value: String, into buffer: inout ByteBuffer) {
        writeHeader(EventStreamHeader(name: name, value: .string(value)), into: &buffer)
    }

    private static func writeName(_ name: String, into buffer: inout ByteBuffer) {
        let count = name.utf8.count
        precondition(count <= Int(UInt8.max), "event-stream header name longer than 255 bytes")
        buffer.writeInteger(UInt8(count))
        buffer.writeString(name)
    }
}
