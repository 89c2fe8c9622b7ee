/// A problem with the configuration, with the line it is on when there is one.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var line: Int?

    public init(_ message: String, line: Int? = nil) {
        self.message = message
        self.line = line
    }

    public var description: String {
        if let line { return "line \(line): \(message)" }
        return message
    }
}
