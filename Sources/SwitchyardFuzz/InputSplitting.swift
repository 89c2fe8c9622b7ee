import NIOCore

/// How the harness cuts inputs: a leading header line, and ragged pieces that stand in for network reads.
enum InputSplitting {
    /// The text before the first newline, and the bytes after it (all of the input, and "", when there is none).
    static func headerLine(_ input: [UInt8]) -> (header: String, rest: [UInt8]) {
        guard let newline = input.firstIndex(of: UInt8(ascii: "\n")) else { return ("", input) }
        return (String(decoding: input[..<newline], as: UTF8.self), Array(input[(newline + 1)...]))
    }

    /// `input` in pieces of 1 to 13 bytes, the lengths derived from the input itself so a replay cuts it the same
    /// way; the small pieces split lines, CRLFs, preludes and headers at every kind of place.
    static func ragged(_ input: [UInt8]) -> [ByteBuffer] {
        var pieces: [ByteBuffer] = []
        var state = UInt64(truncatingIfNeeded: input.count) &* 0x9E37_79B9_7F4A_7C15 | 1
        var start = 0
        while start < input.count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let end = min(input.count, start + 1 + Int(state % 13))
            pieces.append(ByteBuffer(bytes: input[start..<end]))
            start = end
        }
        return pieces
    }
}
