/// One server-sent event: the `event:` name (nil when absent) and its `data:` lines joined by "\n".
public struct SSEEvent: Sendable, Equatable {
    public var event: String?
    public var data: String

    public init(event: String?, data: String) {
        self.event = event
        self.data = data
    }
}

/// Incremental `text/event-stream` parser: feed bytes as they arrive, take whole events out.
/// Lines may end in LF, CRLF or CR, and a chunk may split a line or a CRLF anywhere.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var eventName: String?
    private var data: [UInt8] = []
    private var hasData = false
    private var lastWasCR = false

    public init() {}

    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [SSEEvent] where Bytes.Element == UInt8 {
        var out: [SSEEvent] = []
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                endLine(into: &out)
            case UInt8(ascii: "\r"):
                lastWasCR = true
                endLine(into: &out)
            default:
                line.append(byte)
            }
        }
        return out
    }

    /// The event left when the stream ends without a final blank line.
    public mutating func finish() -> SSEEvent? {
        var out: [SSEEvent] = []
        if !line.isEmpty { endLine(into: &out) }
        endLine(into: &out)
        return out.first
    }

    private mutating func endLine(into out: inout [SSEEvent]) {
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
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            eventName = String(decoding: value, as: UTF8.self)
        }
    }
}
