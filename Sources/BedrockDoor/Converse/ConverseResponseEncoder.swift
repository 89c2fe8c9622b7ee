import NIOCore
import SwitchyardModel

/// Encodes a canonical answer as the Converse response body.
public enum ConverseResponseEncoder {
    public static func encode(_ response: ChatResponse) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(256)
        encode(response, into: &buffer)
        return buffer
    }

    public static func encode(_ response: ChatResponse, into b: inout ByteBuffer) {
        b.writeStaticString("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[")
        for (i, part) in response.content.enumerated() {
            if i > 0 { b.writeStaticString(",") }
            ConverseJSONWriter.writeContentBlock(part, into: &b)
        }
        b.writeStaticString("]}},\"stopReason\":\"")
        b.writeStaticString(ConverseJSONWriter.stopReason(response.stopReason))
        b.writeStaticString("\",\"usage\":")
        ConverseJSONWriter.writeUsage(response.usage, into: &b)
        b.writeStaticString(",\"metrics\":{\"latencyMs\":")
        b.writeJSONInt(response.latencyMs)
        b.writeStaticString("}")
        if !response.additionalFields.isEmpty {
            b.writeStaticString(",\"additionalModelResponseFields\":")
            b.writeJSONValue(.object(response.additionalFields))
        }
        b.writeStaticString("}")
    }
}
