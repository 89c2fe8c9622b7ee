import Foundation

/// One server-sent event: the `event:` name (nil when absent) and its `data:` lines joined by "\n".
public struct SSEEvent: Sendable, Equatable {
    public var event: String?
    public var data: String

    public init(event: String?, data: String) {
        self.event = event
        self.data = data
    }
}

/// A line or event longer than the parser's limit; what arrived of it is dropped, and so is the rest of the stream.
public struct SSEEventTooLong: Error, Sendable, Equatable {
    public var limit: Int
}

/// Incremental `text/event-stream` parser: feed bytes as they arrive, take whole events out.
/// Lines may end in LF, CRLF or CR, and a chunk may split a line or a CRLF anywhere.
/// A line, or an event's data, longer than `maxEventBytes` is an error rather than memory held without bound.
public struct SSEParser: Sendable {
    public static let defaultMaxEventBytes = 8 << 20

    public let maxEventBytes: Int
    private var line: [UInt8] = []
    private var eventName: String?
    private var data: [UInt8] = []
    private var hasData = false
    private var lastWasCR = false

    public init(maxEventBytes: Int = SSEParser.defaultMaxEventBytes) {
        self.maxEventBytes = maxEventBytes
    }

    public mutating func feed<Bytes: Collection>(_ bytes: Bytes) throws(SSEEventTooLong) -> [SSEEvent] where Bytes.Element == UInt8 {
        var out: [SSEEvent] = []
        var failure: SSEEventTooLong?
        let scanned: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            do throws(SSEEventTooLong) { try scan(buffer, into: &out) } catch { failure = error }
        }
        if scanned == nil {
            do throws(SSEEventTooLong) {
                try Array(bytes).withUnsafeBufferPointer { (buffer) throws(SSEEventTooLong) in try scan(buffer, into: &out) }
            } catch { failure = error }
        }
        if let failure { throw failure }
        return out
    }

    /// Lines are found with `memchr` and copied whole: a byte-at-a-time loop made multi-megabyte events slow.
    private mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, into out: inout [SSEEvent]) throws(SSEEventTooLong) {
        guard let base = buffer.baseAddress else { return }
        var position = 0
        while position < buffer.count {
            if lastWasCR {
                lastWasCR = false
                if buffer[position] == UInt8(ascii: "\n") {
                    position += 1
                    continue
                }
            }
            let newline = Self.find(UInt8(ascii: "\n"), in: base, from: position, to: buffer.count)
            let end = Self.find(UInt8(ascii: "\r"), in: base, from: position, to: newline)
            // A field name and "data: " add a few bytes to the line; the data limit itself is checked in endLine.
            guard line.count + (end - position) <= maxEventBytes + 16 else { throw SSEEventTooLong(limit: maxEventBytes) }
            line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position..<end]))
            guard end < buffer.count else { return }
            lastWasCR = buffer[end] == UInt8(ascii: "\r")
            try endLine(into: &out)
            position = end + 1
        }
    }

    /// The offset of the first `byte` in `base[start..<end]`, or `end`.
    private static func find(_ byte: UInt8, in base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        guard start < end, let found = memchr(base + start, Int32(byte), end - start) else { return end }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }

    /// The event left when the stream ends without a final blank line.
    public mutating func finish() throws(SSEEventTooLong) -> SSEEvent? {
        var out: [SSEEvent] = []
        if !line.isEmpty { try endLine(into: &out) }
        try endLine(into: &out)
        return out.first
    }

    private mutating func endLine(into out: inout [SSEEvent]) throws(SSEEventTooLong) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            if hasData {
                out.append(SSEEvent(event: eventName, data: String(decoding: data, as: UTF8.self)))
            }
            eventName = nil
            data.removeAll(keepingCapacity: true)
            hasData = false
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = line[..<colon]
        var valueStart = colon < line.endIndex ? line.index(after: colon) : colon
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = line[valueStart...]
        if field.elementsEqual("data".utf8) {
            guard data.count + (hasData ? 1 : 0) + value.count <= maxEventBytes else { throw SSEEventTooLong(limit: maxEventBytes) }
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            eventName = String(decoding: value, as: UTF8.self)
        }
    }
}
