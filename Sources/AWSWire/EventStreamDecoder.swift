import NIOCore

/// Incremental `application/vnd.amazon.eventstream` decoder.
///
/// Feed it byte buffers as they arrive (split anywhere) with `append`, then call `next()` until it returns nil.
/// Payloads are slices of the fed buffers, not copies. Limits match botocore: headers ≤ 128 KiB, payload ≤ 24 MiB.
public struct EventStreamDecoder: Sendable {
    public static let maxHeadersLength = 128 * 1024
    public static let maxPayloadLength = 24 * 1024 * 1024

    private var buffer = ByteBuffer()
    /// Total length of the message at the reader index once its prelude has been checked, so that a
    /// message arriving in many small pieces is not re-validated on every piece.
    private var pendingLength: Int?

    public init() {}

    /// Bytes received but not yet returned as messages.
    public var bufferedByteCount: Int { buffer.readableBytes }

    public mutating func append(_ bytes: ByteBuffer) {
        if buffer.readableBytes == 0 {
            // Adopting the caller's buffer avoids a copy in the common case of whole messages per chunk.
            buffer = bytes
        } else {
            compact()
            var bytes = bytes
            buffer.writeBuffer(&bytes)
        }
    }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        compact()
        buffer.writeBytes(bytes)
    }

    /// Without this a long stream whose chunks never end on a message boundary would keep every byte it
    /// ever received; only the partial message is moved.
    private mutating func compact() {
        if buffer.readerIndex > 0 { buffer.discardReadBytes() }
    }

    /// Appends `bytes` and returns every message completed by them.
    public mutating func decode(_ bytes: ByteBuffer) throws(EventStreamDecodingError) -> [EventStreamMessage] {
        append(bytes)
        var messages: [EventStreamMessage] = []
        while let message = try next() { messages.append(message) }
        return messages
    }

    /// The next complete message, or nil when more bytes are needed.
    public mutating func next() throws(EventStreamDecodingError) -> EventStreamMessage? {
        let start = buffer.readerIndex
        let totalLength: Int
        if let pending = pendingLength {
            totalLength = pending
        } else {
            guard buffer.readableBytes >= EventStreamEncoder.preludeLength else { return nil }
            totalLength = try validatePrelude(at: start)
            pendingLength = totalLength
        }
        guard buffer.readableBytes >= totalLength else { return nil }

        let crcOffset = start + totalLength - EventStreamEncoder.crcLength
        let expected = buffer.getInteger(at: crcOffset, as: UInt32.self)!
        let computed = buffer.withUnsafeReadableBytes { raw in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<(totalLength - EventStreamEncoder.crcLength)]))
        }
        guard expected == computed else { throw .messageChecksumMismatch(expected: expected, computed: computed) }

        let headersLength = Int(buffer.getInteger(at: start + 4, as: UInt32.self)!)
        let headersStart = start + EventStreamEncoder.preludeLength
        let headers = try parseHeaders(from: headersStart, to: headersStart + headersLength)
        let payloadStart = headersStart + headersLength
        let payload = buffer.getSlice(at: payloadStart, length: crcOffset - payloadStart)!

        buffer.moveReaderIndex(forwardBy: totalLength)
        pendingLength = nil
        if buffer.readableBytes == 0 {
            // Drop the reference so the next chunk is adopted instead of copied.
            buffer = ByteBuffer()
        }
        return EventStreamMessage(headers: headers, payload: payload)
    }

    private func validatePrelude(at start: Int) throws(EventStreamDecodingError) -> Int {
        let totalLength = Int(buffer.getInteger(at: start, as: UInt32.self)!)
        let headersLength = Int(buffer.getInteger(at: start + 4, as: UInt32.self)!)
        let expected = buffer.getInteger(at: start + 8, as: UInt32.self)!
        let computed = buffer.withUnsafeReadableBytes { raw in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<8]))
        }
        guard expected == computed else { throw .preludeChecksumMismatch(expected: expected, computed: computed) }
        guard headersLength <= Self.maxHeadersLength else { throw .headersTooLong(headersLength) }
        let overhead = EventStreamEncoder.preludeLength + EventStreamEncoder.crcLength
        guard totalLength >= overhead + headersLength else {
            throw .invalidMessageLength(totalLength: totalLength, headersLength: headersLength)
        }
        let payloadLength = totalLength - overhead - headersLength
        guard payloadLength <= Self.maxPayloadLength else { throw .payloadTooLong(payloadLength) }
        return totalLength
    }

    private func parseHeaders(from start: Int, to end: Int) throws(EventStreamDecodingError) -> [EventStreamHeader] {
        var headers: [EventStreamHeader] = []
        headers.reserveCapacity(4)
        // A set, not a scan of `headers`: 128 KiB of 3-byte names is 26 000 headers, and a scan made that quadratic.
        var names: Set<String> = []
        var cursor = start

        func take(_ count: Int) throws(EventStreamDecodingError) -> Int {
            guard end - cursor >= count else { throw .truncatedHeader }
            defer { cursor += count }
            return cursor
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws(EventStreamDecodingError) -> T {
            buffer.getInteger(at: try take(MemoryLayout<T>.size), as: T.self)!
        }

        while cursor < end {
            let nameLength = Int(try integer(UInt8.self))
            let name = buffer.getString(at: try take(nameLength), length: nameLength)!
            let type = try integer(UInt8.self)
            let value: EventStreamHeaderValue
            switch type {
            case 0: value = .bool(true)
            case 1: value = .bool(false)
            case 2: value = .byte(try integer(Int8.self))
            case 3: value = .short(try integer(Int16.self))
            case 4: value = .integer(try integer(Int32.self))
            case 5: value = .long(try integer(Int64.self))
            case 6:
                let length = Int(try integer(UInt16.self))
                value = .byteArray(buffer.getBytes(at: try take(length), length: length)!)
            case 7:
                let length = Int(try integer(UInt16.self))
                value = .string(buffer.getString(at: try take(length), length: length)!)
            case 8: value = .timestamp(try integer(Int64.self))
            case 9: value = .uuid(buffer.getBytes(at: try take(16), length: 16)!)
            default: throw .unknownHeaderType(type)
            }
            guard names.insert(name).inserted else { throw .duplicateHeader(name) }
            headers.append(EventStreamHeader(name: name, value: value))
        }
        return headers
    }
}
