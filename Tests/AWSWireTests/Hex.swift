import NIOCore

/// Hex fixtures are written with spaces and newlines for readability; both are ignored.
func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8.filter { !$0.isWhitespaceASCII })
    precondition(digits.count % 2 == 0, "odd hex length")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(nibble(digits[$0]) << 4 | nibble(digits[$0 + 1])) }
}

func hexBuffer(_ hex: String) -> ByteBuffer {
    ByteBuffer(bytes: hexBytes(hex))
}

func hexString(_ buffer: ByteBuffer) -> String {
    buffer.readableBytesView.map { byte in
        let s = String(byte, radix: 16)
        return byte < 16 ? "0" + s : s
    }.joined()
}

func bytes(_ buffer: ByteBuffer) -> [UInt8] {
    Array(buffer.readableBytesView)
}

private func nibble(_ c: UInt8) -> UInt8 {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: preconditionFailure("not a hex digit")
    }
}

extension UInt8 {
    fileprivate var isWhitespaceASCII: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
