/// A test on a stream event's bytes before decoding it: most events of a passing stream are text deltas whose usage,
/// finish reason and error are absent or `null`, and a tap that only reads those need not decode them at all.
/// A false "yes" costs one decode; a "no" is exact, since a member name in string content has its quotes escaped.
enum JSONMemberSniffer {
    /// Whether `json` holds a member `name` (at any depth) whose value is not `null`.
    static func hasValue(_ name: StaticString, in json: String) -> Bool {
        var json = json
        return json.withUTF8 { bytes in
            name.withUTF8Buffer { key in hasValue(key, in: bytes) }
        }
    }

    static func hasValue(_ key: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let quote = UInt8(ascii: "\"")
        let count = bytes.count
        let needed = key.count + 2
        guard count > needed else { return false }
        var i = 0
        while i + needed < count {
            if bytes[i] == quote, bytes[i + needed - 1] == quote, matches(key, bytes, at: i + 1) {
                var j = i + needed
                while j < count, isSpace(bytes[j]) { j += 1 }
                if j < count, bytes[j] == UInt8(ascii: ":") {
                    j += 1
                    while j < count, isSpace(bytes[j]) { j += 1 }
                    if j < count, bytes[j] != UInt8(ascii: "n") { return true }
                }
            }
            i += 1
        }
        return false
    }

    private static func matches(_ key: UnsafeBufferPointer<UInt8>, _ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        for k in 0..<key.count where bytes[start + k] != key[k] { return false }
        return true
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}
