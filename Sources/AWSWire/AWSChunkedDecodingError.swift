public enum AWSChunkedDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A chunk-size line that is not hex (or is too long to be one).
    case malformedChunkHeader
    /// Chunk data not followed by CRLF.
    case missingChunkTerminator
    case malformedTrailer
    /// Input ended before the final chunk.
    case truncated
    /// Bytes after the end of the trailer section.
    case trailingData

    public var description: String {
        switch self {
        case .malformedChunkHeader: "malformed aws-chunked chunk header"
        case .missingChunkTerminator: "aws-chunked chunk data is not followed by CRLF"
        case .malformedTrailer: "malformed aws-chunked trailer"
        case .truncated: "the aws-chunked body ended before its final chunk"
        case .trailingData: "data after the end of the aws-chunked body"
        }
    }
}
