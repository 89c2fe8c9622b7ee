extension StringProtocol {
    /// The path segment with its `%XX` escapes decoded, as Foundation's `removingPercentEncoding` does (nil for a
    /// `%` without two hex digits or bytes that are not UTF-8) but without bridging through NSString: the model id
    /// of every Bedrock call is read this way, and Foundation's version cost 2 % of a request's CPU.
    public var percentDecoded: String? {
        let bytes = utf8
        guard bytes.contains(UInt8(ascii: "%")) else { return String(self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            i = bytes.index(after: i)
            guard byte == UInt8(ascii: "%") else {
                out.append(byte)
                continue
            }
            guard i < bytes.endIndex, let high = hexDigit(bytes[i]) else { return nil }
            i = bytes.index(after: i)
            guard i < bytes.endIndex, let low = hexDigit(bytes[i]) else { return nil }
            i = bytes.index(after: i)
            out.append(high << 4 | low)
        }
        return String(validating: out, as: UTF8.self)
    }
}

private func hexDigit(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
}
