import NIOCore

/// Incremental decoder of the `aws-chunked` content encoding (S3 uploads with `STREAMING-*` payloads):
/// `<hex size>[;ext]\r\n<data>\r\n` repeated, a `0` chunk, trailer lines `name:value\r\n`, then `\r\n`.
///
/// Feed it the body as it arrives (HTTP chunking already removed); it returns payload slices without copying them and
/// keeps the trailers. Chunk signatures (`;chunk-signature=`) are accepted and not checked.
public struct AWSChunkedDecoder: Sendable {
    enum State: Sendable, Hashable {
        case header
        case data(remaining: Int64)
        case dataEnd
        case trailers
        case done
    }

    /// Longest header or trailer line accepted; real ones are well under 200 bytes.
    public static let maxLineLength = 4096
    /// At most this many trailer lines.
    public static let maxTrailers = 32

    private var state = State.header
    private var line: [UInt8] = []
    public private(set) var trailers: [String: String] = [:]
    /// Payload bytes returned so far.
    public private(set) var decodedCount: Int64 = 0

    public init() {}

    /// True once the final chunk and the trailer section have been read.
    public var isComplete: Bool { state == .done }

    /// Consumes `input`; returns the payload bytes it completed, in order.
    public mutating func feed(_ input: ByteBuffer) throws(AWSChunkedDecodingError) -> [ByteBuffer] {
        var input = input
        var out: [ByteBuffer] = []
        while input.readableBytes > 0 {
            switch state {
            case .header:
                guard let text = try readLine(&input) else { continue }
                let size = try Self.chunkSize(text)
                state = size == 0 ? .trailers : .data(remaining: size)
            case .data(let remaining):
                let take = Int(min(Int64(input.readableBytes), remaining))
                out.append(input.readSlice(length: take)!)
                decodedCount += Int64(take)
                state = remaining == Int64(take) ? .dataEnd : .data(remaining: remaining - Int64(take))
            case .dataEnd:
                guard let text = try readLine(&input) else { continue }
                guard text.isEmpty else { throw .missingChunkTerminator }
                state = .header
            case .trailers:
                guard let text = try readLine(&input) else { continue }
                if text.isEmpty {
                    state = .done
                } else {
                    try addTrailer(text)
                }
            case .done:
                throw .trailingData
            }
        }
        return out
    }

    /// Call when the input has ended: fails unless the final chunk arrived. A missing blank line after the trailers
    /// is forgiven, as AWS does.
    public func finish() throws(AWSChunkedDecodingError) {
        switch state {
        case .done: return
        case .trailers where line.isEmpty: return
        default: throw .truncated
        }
    }

    /// A whole line without its CRLF, or nil when the input ran out first (the part read is kept).
    private mutating func readLine(_ input: inout ByteBuffer) throws(AWSChunkedDecodingError) -> [UInt8]? {
        let view = input.readableBytesView
        // The limit and the error are the same whether or not the line's end has arrived yet, so where the network
        // cuts the body never changes the outcome. The CR is not counted in the limit.
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            line.append(contentsOf: view)
            input.moveReaderIndex(forwardBy: view.count)
            if line.count > Self.maxLineLength + 1 { throw lineError }
            return nil
        }
        line.append(contentsOf: view[view.startIndex..<newline])
        input.moveReaderIndex(forwardBy: newline - view.startIndex + 1)
        defer { line.removeAll(keepingCapacity: true) }
        guard line.last == UInt8(ascii: "\r"), line.count <= Self.maxLineLength + 1 else { throw lineError }
        return Array(line.dropLast())
    }

    private var lineError: AWSChunkedDecodingError {
        switch state {
        case .trailers: .malformedTrailer
        case .dataEnd: .missingChunkTerminator
        default: .malformedChunkHeader
        }
    }

    static func chunkSize(_ line: [UInt8]) throws(AWSChunkedDecodingError) -> Int64 {
        let digits = line.prefix { $0 != UInt8(ascii: ";") }
        guard !digits.isEmpty, digits.count <= 15 else { throw .malformedChunkHeader }
        var size: Int64 = 0
        for byte in digits {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
            default: throw .malformedChunkHeader
            }
            size = size * 16 + Int64(value)
        }
        return size
    }

    private mutating func addTrailer(_ line: [UInt8]) throws(AWSChunkedDecodingError) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0, trailers.count < Self.maxTrailers else {
            throw .malformedTrailer
        }
        let name = String(decoding: line[..<colon], as: UTF8.self).trimmingSpaces.lowercased()
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
        trailers[name] = value
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        let scalars = unicodeScalars.drop { $0 == " " || $0 == "\t" }
        var end = scalars.endIndex
        while end > scalars.startIndex, scalars[scalars.index(before: end)] == " " || scalars[scalars.index(before: end)] == "\t" {
            end = scalars.index(before: end)
        }
        return String(scalars[scalars.startIndex..<end])
    }
}
