public enum FileAccessError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not an `s3://bucket/key` URI (or it names no key where one is needed).
    case invalidURI(String)
    case notFound(String)
    /// The namespace has no file store yet, or refuses files (Anthropic); the text says which and why.
    case unsupported(String)
    case tooLarge(String)
    /// Anything else the backend reported, as its message.
    case failed(String)

    public var description: String {
        switch self {
        case .invalidURI(let text): "not an s3://bucket/key URI: \(text)"
        case .notFound(let uri): "no such object: \(uri)"
        case .unsupported(let message), .tooLarge(let message), .failed(let message): message
        }
    }
}
