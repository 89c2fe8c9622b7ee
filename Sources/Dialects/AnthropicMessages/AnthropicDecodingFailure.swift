import Foundation

/// A body member the dialect refuses, with the JSON path where it was found.
public struct AnthropicDecodingFailure: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    init(_ path: [any CodingKey], _ message: String) {
        self.path = Self.render(path)
        self.message = message
    }

    /// `messages[1].content[0].source.media_type: 'image/bmp' is not one of …`
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

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

    /// What JSONDecoder found wrong, in the same form.
    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey], _ message: String) -> String { AnthropicDecodingFailure(path, message).description }
        switch error {
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return "the request body must be a JSON object" }
            return at(context.codingPath, "expected \(article(for: type))")
        case .valueNotFound(let type, let context):
            return at(context.codingPath, "expected \(article(for: type)), got null")
        case .keyNotFound(let key, let context):
            return at(context.codingPath + [key], "required member is missing")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the request body is not valid JSON" }
            return at(context.codingPath, "invalid value")
        @unknown default:
            return "the request body is not a valid Messages request"
        }
    }

    private static func article(for type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Bool.self { return "a boolean" }
        if type == Int.self || type == Double.self { return "a number" }
        let name = String(describing: type)
        if name.hasPrefix("Array") || (name.hasPrefix("[") && !name.contains(":")) { return "a list" }
        return "an object"
    }
}
