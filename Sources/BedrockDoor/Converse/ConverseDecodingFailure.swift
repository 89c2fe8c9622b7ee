/// A validation failure found while decoding a Converse body, with the JSON path where it was found.
struct ConverseDecodingFailure: Error {
    let path: [any CodingKey]
    let message: String

    init(_ path: [any CodingKey], _ message: String) {
        self.path = path
        self.message = message
    }

    /// `messages[1].content[0].image.format: 'bmp' is not one of …`
    var description: String {
        path.isEmpty ? message : "\(Self.render(path)): \(message)"
    }

    static func render(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") {
                out += "[\(index)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out
    }
}
