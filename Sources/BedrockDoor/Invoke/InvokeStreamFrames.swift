import AWSWire
import Foundation
import NIOCore
import SwitchyardModel

/// The InvokeModelWithResponseStream event stream: `chunk` events carrying `{"bytes": "<base64 chunk>"}`, and the
/// exceptions of its `ResponseStream` union.
enum InvokeStreamFrames {
    static func writeChunk(_ chunk: ByteBuffer, into buffer: inout ByteBuffer) {
        EventStreamEncoder.writeEvent(type: "chunk", into: &buffer) { b in
            b.writeStaticString("{\"bytes\":\"")
            b.writeString(Data(chunk.readableBytesView).base64EncodedString())
            b.writeStaticString("\"}")
        }
    }

    static func writeException(_ error: GatewayError, into buffer: inout ByteBuffer) {
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

    /// The `ResponseStream` member for an error kind. Unlike ConverseStream's union it has `modelTimeoutException`;
    /// kinds without a member travel as a model stream error.
    static func exceptionType(for kind: GatewayError.Kind) -> String {
        switch kind {
        case .validation: "validationException"
        case .throttled: "throttlingException"
        case .unavailable: "serviceUnavailableException"
        case .internalError: "internalServerException"
        case .timeout: "modelTimeoutException"
        case .streamFailed, .badUpstreamAnswer, .payloadTooLarge, .accessDenied, .notFound, .quotaExceeded: "modelStreamErrorException"
        }
    }
}
