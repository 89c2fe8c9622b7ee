import AWSWire
import NIOCore
import SwitchyardModel

/// Changes one top-level string member of a request body and leaves every other byte as the caller sent it, so a
/// same-dialect passthrough names the upstream's model and is otherwise the caller's own.
public enum JSONBodyPatch {
    /// The body with the top-level `model` set to `model`; nil when the body is not a JSON object with exactly one
    /// `model` member, a string. A second `model` (or one spelled with escapes) is refused rather than patched: the
    /// gateway would route and check one, and the upstream might read the other.
    public static func settingModel(_ body: ByteBuffer, to model: String) -> ByteBuffer? {
        let bytes = Array(body.readableBytesView)
        guard let range = topLevelStringValue(named: "model", in: bytes) else { return nil }
        var out = ByteBuffer()
        out.reserveCapacity(bytes.count + model.utf8.count)
        out.writeBytes(bytes[..<range.lowerBound])
        out.writeJSONString(model)
        out.writeBytes(bytes[range.upperBound...])
        return out
    }

    /// `settingModel`, or the validation error a caller gets for a body the gateway will not forward.
    static func requireModel(_ body: ByteBuffer, _ model: String) throws(GatewayError) -> ByteBuffer {
        guard let patched = settingModel(body, to: model) else {
            throw GatewayError(.validation, "the request body must be a JSON object with exactly one 'model' member, a string written without escapes")
        }
        return patched
    }

    /// The byte range (quotes included) of the string value of top-level member `name`, when it is the only member
    /// of that name.
    static func topLevelStringValue(named name: String, in bytes: [UInt8]) -> Range<Int>? {
        var scanner = Scanner(bytes: bytes)
        scanner.skipSpace()
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        var found: Range<Int>?
        var seen = 0
        scanner.skipSpace()
        if scanner.take(UInt8(ascii: "}")) { return nil }
        while true {
            scanner.skipSpace()
            guard let keyRange = scanner.string() else { return nil }
            scanner.skipSpace()
            guard scanner.take(UInt8(ascii: ":")) else { return nil }
            scanner.skipSpace()
            let valueStart = scanner.position
            let isString = scanner.peek == UInt8(ascii: "\"")
            guard scanner.value() else { return nil }
            let key = bytes[(keyRange.lowerBound + 1)..<(keyRange.upperBound - 1)]
            if key.contains(UInt8(ascii: "\\")) || key.elementsEqual(name.utf8) {
                seen += 1
                if isString { found = valueStart..<scanner.position }
            }
            scanner.skipSpace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            guard scanner.take(UInt8(ascii: "}")) else { return nil }
            return seen == 1 ? found : nil
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            position += 1
            return true
        }

        mutating func skipSpace() {
            while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { position += 1 }
        }

        /// A string, quotes included; escapes are skipped, not decoded.
        mutating func string() -> Range<Int>? {
            let start = position
            guard take(UInt8(ascii: "\"")) else { return nil }
            while let b = peek {
                position += 1
                if b == UInt8(ascii: "\\") {
                    position += 1
                } else if b == UInt8(ascii: "\"") {
                    return start..<position
                }
            }
            return nil
        }

        /// Skips one value of any kind; false when the bytes are not JSON.
        mutating func value() -> Bool {
            guard let b = peek else { return false }
            switch b {
            case UInt8(ascii: "\""): return string() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while let c = peek {
                    switch c {
                    case UInt8(ascii: "\""):
                        guard string() != nil else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                    default: break
                    }
                    position += 1
                    if depth == 0 { return true }
                }
                return false
            default:
                // A number, true, false or null: up to the next delimiter.
                while let c = peek, c != UInt8(ascii: ","), c != UInt8(ascii: "}"), c != 0x20, c != 0x0A, c != 0x0D, c != 0x09 {
                    position += 1
                }
                return true
            }
        }
    }
}
