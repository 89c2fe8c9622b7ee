import AWSWire
import NIOCore

/// `/v1/models` answers: `{"object":"list","data":[{id, object: "model", created, owned_by}]}`.
public enum OpenAIModelList {
    public static func write(_ models: [(id: String, ownedBy: String)]) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeStaticString(#"{"object":"list","data":["#)
        for (i, model) in models.enumerated() {
            if i > 0 { out.writeStaticString(",") }
            writeModel(id: model.id, ownedBy: model.ownedBy, into: &out)
        }
        out.writeStaticString("]}")
        return out
    }

    public static func writeModel(id: String, ownedBy: String) -> ByteBuffer {
        var out = ByteBuffer()
        writeModel(id: id, ownedBy: ownedBy, into: &out)
        return out
    }

    static func writeModel(id: String, ownedBy: String, into out: inout ByteBuffer) {
        out.writeStaticString(#"{"id":"#)
        out.writeJSONString(id)
        out.writeStaticString(#","object":"model","created":0,"owned_by":"#)
        out.writeJSONString(ownedBy)
        out.writeStaticString("}")
    }
}
