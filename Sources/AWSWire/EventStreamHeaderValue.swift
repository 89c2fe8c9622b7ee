/// The value of one event-stream header; the case fixes the wire type byte.
public enum EventStreamHeaderValue: Sendable, Hashable {
    case bool(Bool)
    case byte(Int8)
    case short(Int16)
    case integer(Int32)
    case long(Int64)
    case byteArray([UInt8])
    case string(String)
    /// Milliseconds since the Unix epoch.
    case timestamp(Int64)
    /// The 16 raw bytes of the UUID.
    case uuid([UInt8])

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The type byte this value is written with.
    public var typeByte: UInt8 {
        switch self {
        case .bool(let b): b ? 0 : 1
        case .byte: 2
        case .short: 3
        case .integer: 4
        case .long: 5
        case .byteArray: 6
        case .string: 7
        case .timestamp: 8
        case .uuid: 9
        }
    }
}
