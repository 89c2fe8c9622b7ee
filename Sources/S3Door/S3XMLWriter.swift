import NIOCore

/// Writes S3's response XML by hand: a handful of fixed shapes, so no XML library. Text and attribute values are
/// escaped; line breaks and tabs become character references so XML parsers keep them as they are.
public struct S3XMLWriter: Sendable {
    public private(set) var text = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
    private var open: [String] = []

    public static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    public init() {}

    /// `<name xmlns="…">` for the root element.
    public mutating func root(_ name: String) {
        text += "<\(name) xmlns=\"\(Self.namespace)\">"
        open.append(name)
    }

    public mutating func start(_ name: String) {
        text += "<\(name)>"
        open.append(name)
    }

    public mutating func end() {
        guard let name = open.popLast() else { return }
        text += "</\(name)>"
    }

    public mutating func element(_ name: String, _ value: String) {
        text += "<\(name)>"
        Self.escape(value, into: &text)
        text += "</\(name)>"
    }

    public mutating func element(_ name: String, _ value: String?) {
        if let value { element(name, value) }
    }

    public mutating func element(_ name: String, _ value: Int64) { element(name, String(value)) }
    public mutating func element(_ name: String, _ value: Int) { element(name, String(value)) }
    public mutating func element(_ name: String, _ value: Bool) { element(name, value ? "true" : "false") }

    /// The document with every element closed.
    public mutating func finish() -> ByteBuffer {
        while !open.isEmpty { end() }
        return ByteBuffer(string: text)
    }

    public static func escape(_ value: String) -> String {
        var out = ""
        escape(value, into: &out)
        return out
    }

    static func escape(_ value: String, into out: inout String) {
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            default:
                if scalar.value < 0x20 {
                    // Not representable in XML 1.0 even as a reference; S3 callers use encoding-type=url for such keys.
                    out += "&#\(scalar.value);"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
    }
}
