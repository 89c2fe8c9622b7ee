import AWSWire
import NIOCore

/// One line of a Message Batch's results, as Anthropic writes them: `{"custom_id", "result"}`, the result
/// `succeeded` with the Messages answer, `errored` with the error body an answer would have had, or `canceled` or
/// `expired` for a request that was never sent.
public enum AnthropicBatchResultLine {
    public static func succeeded(customId: String, message: some Collection<UInt8>) -> String {
        line(customId: customId) { out in
            out.writeStaticString(#"{"type":"succeeded","message":"#)
            out.writeBytes(message)
            out.writeStaticString("}")
        }
    }

    public static func errored(customId: String, type: AnthropicErrorType, message: String) -> String {
        line(customId: customId) { out in
            out.writeStaticString(#"{"type":"errored","error":"#)
            type.writeBody(message: message, into: &out)
            out.writeStaticString("}")
        }
    }

    public static func canceled(customId: String) -> String {
        line(customId: customId) { $0.writeStaticString(#"{"type":"canceled"}"#) }
    }

    public static func expired(customId: String) -> String {
        line(customId: customId) { $0.writeStaticString(#"{"type":"expired"}"#) }
    }

    static func line(customId: String, result: (inout ByteBuffer) -> Void) -> String {
        var out = ByteBuffer()
        out.writeStaticString(#"{"custom_id":"#)
        out.writeJSONString(customId)
        out.writeStaticString(#","result":"#)
        result(&out)
        out.writeStaticString("}")
        return String(buffer: out)
    }
}
