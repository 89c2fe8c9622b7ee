import NIOCore

/// One `application/vnd.amazon.eventstream` message: ordered headers and an opaque payload.
public struct EventStreamMessage: Sendable, Hashable {
    public var headers: [EventStreamHeader]
    public var payload: ByteBuffer

    public init(headers: [EventStreamHeader], payload: ByteBuffer) {
        self.headers = headers
        self.payload = payload
    }

    /// A normal event, as AWS sends them: botocore picks the union member by `:event-type`.
    public static func event(type: String, payload: ByteBuffer) -> EventStreamMessage {
        EventStreamMessage(
            headers: [
                EventStreamHeader(EventStreamHeader.eventType, type),
                EventStreamHeader(EventStreamHeader.contentType, "application/json"),
                EventStreamHeader(EventStreamHeader.messageType, "event"),
            ],
            payload: payload
        )
    }

    /// A modelled exception; `type` must be the camelCase union member name (e.g. `throttlingException`),
    /// otherwise botocore reports an empty code and message.
    public static func exception(type: String, payload: ByteBuffer) -> EventStreamMessage {
        EventStreamMessage(
            headers: [
                EventStreamHeader(EventStreamHeader.exceptionType, type),
                EventStreamHeader(EventStreamHeader.contentType, "application/json"),
                EventStreamHeader(EventStreamHeader.messageType, "exception"),
            ],
            payload: payload
        )
    }

    public func header(_ name: String) -> EventStreamHeaderValue? {
        headers.first { $0.name == name }?.value
    }

    public var messageType: String? { header(EventStreamHeader.messageType)?.stringValue }
    public var eventType: String? { header(EventStreamHeader.eventType)?.stringValue }
    public var exceptionType: String? { header(EventStreamHeader.exceptionType)?.stringValue }
    public var contentType: String? { header(EventStreamHeader.contentType)?.stringValue }
}
