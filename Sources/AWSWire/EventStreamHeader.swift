public struct EventStreamHeader: Sendable, Hashable {
    public var name: String
    public var value: EventStreamHeaderValue

    public init(name: String, value: EventStreamHeaderValue) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ value: String) {
        self.init(name: name, value: .string(value))
    }

    public static let messageType = ":message-type"
    public static let eventType = ":event-type"
    public static let exceptionType = ":exception-type"
    public static let contentType = ":content-type"
    public static let errorCode = ":error-code"
    public static let errorMessage = ":error-message"
}
