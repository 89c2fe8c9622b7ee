import AWSWire
import NIOCore
import SwitchyardModel

/// Encodes canonical stream events as ConverseStream event-stream messages, appended to the caller's buffer: one
/// message per event, or several `contentBlockDelta` messages for a delta too long for one frame.
public enum ConverseStreamEncoder {
    public static func write(_ event: StreamEvent, into buffer: inout ByteBuffer) {
        for piece in StreamDeltaSplitter.split(event) { writeOne(piece, into: &buffer) }
    }

    private static func writeOne(_ event: StreamEvent, into buffer: inout ByteBuffer) {
        switch event {
        case .messageStart(let role):
            EventStreamEncoder.writeEvent(type: "messageStart", into: &buffer) { b in
                b.writeStaticString("{\"role\":")
                b.writeJSONString(role.rawValue)
                b.writeStaticString("}")
            }
        case .blockStart(let index, .toolUse(let id, let name)):
            EventStreamEncoder.writeEvent(type: "contentBlockStart", into: &buffer) { b in
                writeIndex(index, into: &b)
                b.writeStaticString(",\"start\":{\"toolUse\":{\"toolUseId\":")
                b.writeJSONString(id)
                b.writeStaticString(",\"name\":")
                b.writeJSONString(name)
                b.writeStaticString("}}}")
            }
        case .blockDelta(let index, let delta):
            EventStreamEncoder.writeEvent(type: "contentBlockDelta", into: &buffer) { b in
                writeIndex(index, into: &b)
                b.writeStaticString(",\"delta\":")
                ConverseJSONWriter.writeBlockDelta(delta, into: &b)
                b.writeStaticString("}")
            }
        case .blockStop(let index):
            EventStreamEncoder.writeEvent(type: "contentBlockStop", into: &buffer) { b in
                writeIndex(index, into: &b)
                b.writeStaticString("}")
            }
        case .messageStop(let reason):
            EventStreamEncoder.writeEvent(type: "messageStop", into: &buffer) { b in
                b.writeStaticString("{\"stopReason\":\"")
                b.writeStaticString(ConverseJSONWriter.stopReason(reason))
                b.writeStaticString("\"}")
            }
        case .metadata(let usage, let latencyMs):
            EventStreamEncoder.writeEvent(type: "metadata", into: &buffer) { b in
                b.writeStaticString("{\"usage\":")
                ConverseJSONWriter.writeUsage(usage, into: &b)
                b.writeStaticString(",\"metrics\":{\"latencyMs\":")
                b.writeJSONInt(latencyMs)
                b.writeStaticString("}}")
            }
        }
    }

    /// An error after the stream began, as the exception botocore raises as `EventStreamError` with
    /// `Code` = the member name.
    public static func writeException(_ error: GatewayError, into buffer: inout ByteBuffer) {
        let type = exceptionType(for: error.kind)
        EventStreamEncoder.writeException(type: type, into: &buffer) { b in
            b.writeStaticString("{\"message\":")
            b.writeJSONString(error.message)
            if type == "modelStreamErrorException", let status = error.upstreamStatus {
                b.writeStaticString(",\"originalStatusCode\":")
                b.writeJSONInt(status)
            }
            b.writeStaticString("}")
        }
    }

    /// The ConverseStreamOutput union member for an error kind. The union has no member for the other
    /// kinds (not even a timeout), so they travel as a model stream error.
    public static func exceptionType(for kind: GatewayError.Kind) -> String {
        switch kind {
        case .validation: "validationException"
        case .throttled: "throttlingException"
        case .unavailable: "serviceUnavailableException"
        case .internalError: "internalServerException"
        case .streamFailed, .badUpstreamAnswer, .timeout, .payloadTooLarge, .accessDenied, .notFound, .quotaExceeded:
            "modelStreamErrorException"
        }
    }

    private static func writeIndex(_ index: Int, into b: inout ByteBuffer) {
        b.writeStaticString("{\"contentBlockIndex\":")
        b.writeJSONInt(index)
    }
}
