/// Why an event stream could not be decoded. Every case is fatal for the stream: the framing is lost.
public enum EventStreamDecodingError: Error, Sendable, Hashable {
    case preludeChecksumMismatch(expected: UInt32, computed: UInt32)
    case messageChecksumMismatch(expected: UInt32, computed: UInt32)
    /// `total_length` cannot hold the prelude, the declared headers and the message CRC.
    case invalidMessageLength(totalLength: Int, headersLength: Int)
    case headersTooLong(Int)
    case payloadTooLong(Int)
    /// A header runs past the end of the declared headers section.
    case truncatedHeader
    case unknownHeaderType(UInt8)
    case duplicateHeader(String)
}
