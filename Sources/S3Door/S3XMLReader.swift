/// A small, strict XML reader for the request bodies S3 clients send. Elements, attributes (read and dropped), text,
/// character and the five predefined entity references, CDATA, comments and processing instructions. DTDs are
/// refused, so no entity expansion can happen. Namespace prefixes are dropped from names.
public struct S3XMLReader {
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var reason: String
        public var offset: Int
        public var description: String { "\(reason) at byte \(offset)" }
    }

    static let maxDepth = 32

    private let bytes: [UInt8]
    private var i = 0

    public static func parse(_ bytes: [UInt8]) throws(Failure) -> S3XMLNode {
        var reader = S3XMLReader(bytes: bytes)
        return try reader.document()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    private mutating func document() throws(Failure) -> S3XMLNode {
        try misc()
        guard peek("<") else { throw fail("no root element") }
        let root = try element(depth: 0)
        try misc()
        guard i == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Whitespace, comments and processing instructions between top-level items.
    private mutating func misc() throws(Failure) {
        while true {
            skipSpace()
            if peek("<?") {
                try skip(past: "?>")
            } else if peek("<!--") {
                try skip(past: "-->")
            } else if peek("<!") {
                throw fail("document type declarations are not accepted")
            } else {
                return
            }
        }
    }

    private mutating func element(depth: Int) throws(Failure) -> S3XMLNode {
        guard depth < Self.maxDepth else { throw fail("elements nested too deeply") }
        i += 1  // <
        let qualified = try name()
        try attributes()
        var node = S3XMLNode(name: Self.local(qualified))
        if peek("/>") {
            i += 2
            return node
        }
        guard peek(">") else { throw fail("malformed start tag") }
        i += 1
        var text: [UInt8] = []
        while true {
            guard i < bytes.count else { throw fail("unterminated element <\(qualified)>") }
            if peek("</") {
                i += 2
                guard try name() == qualified else { throw fail("mismatched end tag for <\(qualified)>") }
                skipSpace()
                guard peek(">") else { throw fail("malformed end tag") }
                i += 1
                node.text = try characterData(text)
                return node
            } else if peek("<!--") {
                try skip(past: "-->")
            } else if peek("<![CDATA[") {
                i += 9
                let start = i
                try skip(past: "]]>")
                text.append(contentsOf: bytes[start..<(i - 3)])
            } else if peek("<?") {
                try skip(past: "?>")
            } else if peek("<!") {
                throw fail("declarations are not accepted inside elements")
            } else if peek("<") {
                node.children.append(try element(depth: depth + 1))
            } else if peek("&") {
                try reference(into: &text)
            } else {
                text.append(bytes[i])
                i += 1
            }
        }
    }

    private mutating func attributes() throws(Failure) {
        while true {
            let hadSpace = skipSpace()
            guard i < bytes.count else { throw fail("unterminated start tag") }
            if peek(">") || peek("/>") { return }
            guard hadSpace else { throw fail("malformed attribute") }
            _ = try name()
            skipSpace()
            guard peek("=") else { throw fail("attribute without a value") }
            i += 1
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                throw fail("unquoted attribute value")
            }
            let quote = bytes[i]
            i += 1
            while i < bytes.count, bytes[i] != quote {
                if bytes[i] == UInt8(ascii: "<") { throw fail("< in an attribute value") }
                i += 1
            }
            guard i < bytes.count else { throw fail("unterminated attribute value") }
            i += 1
        }
    }

    private mutating func name() throws(Failure) -> String {
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            let isNameByte =
                (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
                || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b >= 0x80
            guard isNameByte else { break }
            i += 1
        }
        guard i > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    /// XML 1.0 text: UTF-8 without C0 controls other than tab, LF and CR. Decoding leniently would turn a byte
    /// that is not UTF-8, or a NUL the index cannot hold, into some other key.
    private func characterData(_ text: [UInt8]) throws(Failure) -> String {
        if text.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
            throw fail("a control character that XML 1.0 does not allow")
        }
        guard let string = String(validating: text, as: UTF8.self) else { throw fail("text that is not UTF-8") }
        return string
    }

    private mutating func reference(into text: inout [UInt8]) throws(Failure) {
        let start = i
        guard let semicolon = bytes[i...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
            throw fail("unterminated entity reference")
        }
        let body = String(decoding: bytes[(start + 1)..<semicolon], as: UTF8.self)
        i = semicolon + 1
        switch body {
        case "lt": text.append(UInt8(ascii: "<"))
        case "gt": text.append(UInt8(ascii: ">"))
        case "amp": text.append(UInt8(ascii: "&"))
        case "quot": text.append(UInt8(ascii: "\""))
        case "apos": text.append(UInt8(ascii: "'"))
        default:
            let value: UInt32? =
                if body.hasPrefix("#x") { UInt32(body.dropFirst(2), radix: 16) }
                else if body.hasPrefix("#") { UInt32(body.dropFirst(), radix: 10) }
                else { nil }
            guard let value, let scalar = Unicode.Scalar(value), value != 0 else {
                i = start
                throw fail("unknown entity reference &\(body);")
            }
            text.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
    }

    @discardableResult private mutating func skipSpace() -> Bool {
        let start = i
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        return i > start
    }

    private mutating func skip(past terminator: String) throws(Failure) {
        let t = Array(terminator.utf8)
        while i + t.count <= bytes.count {
            if bytes[i..<(i + t.count)].elementsEqual(t) {
                i += t.count
                return
            }
            i += 1
        }
        throw fail("missing \(terminator)")
    }

    private func peek(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { bytes[i..<(i + count)].elementsEqual($0) }
    }

    private func fail(_ reason: String) -> Failure { Failure(reason: reason, offset: i) }

    static func local(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }
}
