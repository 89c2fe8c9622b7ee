import AWSWire
import NIOCore

/// One line of a batch's output or error file, as OpenAI writes them: an answered request carries the endpoint's
/// own answer (`response.body`) with its status, a refused one the endpoint's error body; a line that was never
/// sent (it could not be read as a request) has no response, only `error`.
public enum OpenAIBatchLine {
    public static func answered(id: String, customId: String, requestId: String, body: some Collection<UInt8>) -> String {
        line(id: id, customId: customId) { out in
            out.writeStaticString(#"{"status_code":200,"request_id":"#)
            out.writeJSONString(requestId)
            out.writeStaticString(#","body":"#)
            out.writeBytes(body)
            out.writeStaticString("}")
        } error: { out in out.writeStaticString("null") }
    }

    public static func refused(id: String, customId: String, requestId: String, error: OpenAIError) -> String {
        line(id: id, customId: customId) { out in
            out.writeStaticString(#"{"status_code":"#)
            out.writeString(String(error.status))
            out.writeStaticString(#","request_id":"#)
            out.writeJSONString(requestId)
            out.writeStaticString(#","body":"#)
            error.writeBody(into: &out)
            out.writeStaticString("}")
        } error: { out in out.writeStaticString("null") }
    }

    public static func unsent(id: String, customId: String, code: String, message: String) -> String {
        line(id: id, customId: customId) { out in out.writeStaticString("null") } error: { out in
            out.writeStaticString(#"{"code":"#)
            out.writeJSONString(code)
            out.writeStaticString(#","message":"#)
            out.writeJSONString(message)
            out.writeStaticString("}")
        }
    }

    static func line(
        id: String, customId: String, response: (inout ByteBuffer) -> Void, error: (inout ByteBuffer) -> Void
    ) -> String {
        var out = ByteBuffer()
        out.writeStaticString(#"{"id":"#)
        out.writeJSONString(id)
        out.writeStaticString(#","custom_id":"#)
        out.writeJSONString(customId)
        out.writeStaticString(#","response":"#)
        response(&out)
        out.writeStaticString(#","error":"#)
        error(&out)
        out.writeStaticString("}")
        return String(buffer: out)
    }
}
