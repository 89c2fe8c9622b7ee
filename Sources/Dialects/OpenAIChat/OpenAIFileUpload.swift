import Foundation
import NIOCore

/// `POST /v1/files`: a `multipart/form-data` body with the `file` part (its bytes and filename) and `purpose`.
public struct OpenAIFileUpload: Sendable {
    public var bytes: ByteBuffer
    public var filename: String
    public var purpose: String

    public static func read(_ body: ByteBuffer, contentType: String?) throws(OpenAIError) -> OpenAIFileUpload {
        guard let contentType, let boundary = boundary(contentType) else {
            throw invalid(nil, "The request must be multipart/form-data with a boundary, holding 'file' and 'purpose'.")
        }
        let parts = try MultipartParts(body, boundary: boundary)
        guard let purposePart = parts.first(named: "purpose") else { throw invalid("purpose", "Missing required parameter: 'purpose'.") }
        let purpose = String(buffer: purposePart.body).trimmingCharacters(in: .whitespacesAndNewlines)
        guard OpenAIFileObject.uploadPurposes.contains(purpose) else {
            let allowed = OpenAIFileObject.uploadPurposes.sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw invalid("purpose", "Invalid value: '\(purpose)'. Supported values are: \(allowed).")
        }
        guard let file = parts.first(named: "file") else { throw invalid("file", "Missing required parameter: 'file'.") }
        return OpenAIFileUpload(bytes: file.body, filename: file.filename ?? "file", purpose: purpose)
    }

    static func boundary(_ contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            var value = piece.dropFirst("boundary=".count)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return value.isEmpty || value.utf8.count > 70 ? nil : String(value)
        }
        return nil
    }

    static func invalid(_ param: String?, _ message: String) -> OpenAIError {
        OpenAIError(status: 400, type: "invalid_request_error", param: param, message: message)
    }
}

/// The parts of a `multipart/form-data` body (RFC 7578), each a slice of the body: no part is copied.
struct MultipartParts {
    struct Part {
        var name: String
        var filename: String?
        var body: ByteBuffer
    }

    var parts: [Part] = []

    init(_ body: ByteBuffer, boundary: String) throws(OpenAIError) {
        let view = body.readableBytesView
        let bytes = Array(view)
        let delimiter = Array("--\(boundary)".utf8)
        // The first delimiter may open the body or follow a preamble; every later one follows a CRLF.
        guard var cursor = Self.find(delimiter, in: bytes, from: 0) else { throw Self.malformed("it holds no boundary") }
        cursor += delimiter.count
        while true {
            guard cursor + 2 <= bytes.count else { throw Self.malformed("the body ends inside a boundary") }
            if bytes[cursor...].starts(with: Array("--".utf8)) { break }
            guard bytes[cursor...].starts(with: Self.crlf) else { throw Self.malformed("a boundary is not followed by CRLF") }
            cursor += 2
            guard let headEnd = Self.find(Self.crlf + Self.crlf, in: bytes, from: cursor) else { throw Self.malformed("a part has no header end") }
            let head = String(decoding: bytes[cursor..<headEnd], as: UTF8.self)
            let start = headEnd + 4
            guard let end = Self.find(Self.crlf + delimiter, in: bytes, from: start) else { throw Self.malformed("the last part is not closed") }
            if let (name, filename) = Self.disposition(head) {
                parts.append(Part(name: name, filename: filename, body: body.getSlice(at: body.readerIndex + start, length: end - start)!))
            }
            cursor = end + 2 + delimiter.count
        }
    }

    func first(named name: String) -> Part? { parts.first { $0.name == name } }

    static let crlf = Array("\r\n".utf8)

    /// `name` and `filename` of a part's `Content-Disposition: form-data` header.
    static func disposition(_ head: String) -> (String, String?)? {
        for line in head.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "content-disposition" else { continue }
            var name: String?
            var filename: String?
            for parameter in Self.parameters(line[line.index(after: colon)...]) {
                switch parameter.key.lowercased() {
                case "name": name = parameter.value
                case "filename": filename = parameter.value
                default: break
                }
            }
            return name.map { ($0, filename) }
        }
        return nil
    }

    /// `; key="value"` pairs, quotes undone (a `\"` inside is a quote); browsers and httpx escape a quote as `%22`.
    static func parameters(_ text: Substring) -> [(key: String, value: String)] {
        var out: [(String, String)] = []
        var rest = text[...]
        while let semicolon = rest.firstIndex(of: ";") {
            rest = rest[rest.index(after: semicolon)...].drop { $0 == " " || $0 == "\t" }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces)
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(c)
                        escaped = false
                    } else if c == "\\" {
                        escaped = true
                    } else if c == "\"" {
                        break
                    } else {
                        value.append(c)
                    }
                }
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            out.append((key, value.replacingOccurrences(of: "%22", with: "\"")))
        }
        return out
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            guard let hit = haystack[index...last].firstIndex(of: first) else { return nil }
            if haystack[hit..<(hit + needle.count)].elementsEqual(needle) { return hit }
            index = hit + 1
        }
        return nil
    }

    static func malformed(_ why: String) -> OpenAIError {
        OpenAIError(status: 400, type: "invalid_request_error", message: "The multipart/form-data body is malformed: \(why).")
    }
}
