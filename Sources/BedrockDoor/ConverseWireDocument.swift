import SwitchyardModel

/// `{"format": "pdf", "name": "…", "source": {"bytes"} | {"text"} | {"content": [{"text"}]}}`
struct ConverseWireDocument: Decodable {
    let value: DocumentPart

    static let formats = DocumentFormat.allCases.map { ($0.rawValue, $0) }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let name = try c.nonEmptyString("name")
        if name.count > 200 { throw c.failure("name", "must be at most 200 characters") }
        let formatKey: ConverseWireKey = "format"
        let format = c.contains(formatKey) ? try c.oneOf(formatKey, Self.formats) : nil

        let source = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: "source")
        let member = try source.unionMember("a document source")
        let body: DocumentPart.Source
        switch member.stringValue {
        case "bytes": body = .bytes(try source.base64(member))
        case "text": body = .text(try source.decode(String.self, forKey: member))
        case "content":
            // Structured text chunks; the canonical model holds one text, so they are joined.
            let chunks = try source.decode([ConverseWireTextChunk].self, forKey: member)
            body = .text(chunks.map(\.text).joined(separator: "\n"))
        case "s3Location": throw source.unsupported(member, "an S3 document source (send the bytes inline)")
        default: throw source.failure(member, "unknown document source member")
        }

        // AWS accepts a text source without a format; bytes need one to be interpreted.
        guard let resolved = format ?? (body.isText ? .txt : nil) else {
            throw c.failure(formatKey, "required member is missing")
        }
        value = DocumentPart(format: resolved, name: name, source: body)
    }
}

extension DocumentPart.Source {
    fileprivate var isText: Bool {
        if case .text = self { return true }
        return false
    }
}
