import AWSWire
import Engine
import NIOCore
import SwitchyardModel

/// `GET /v1/models` in Anthropic's page shape: `{"data": [{"type": "model", "id", "display_name", "created_at"}],
/// "has_more", "first_id", "last_id"}`, with what the caller's key may use (chat models and aliases).
enum AnthropicModelList {
    /// The catalog has no creation dates; a fixed one keeps the field well-formed for SDKs that parse it.
    static let createdAt = "2025-01-01T00:00:00Z"

    static func ids(_ catalog: ModelCatalog, caller: CallerIdentity?) -> [String] {
        catalog.models(for: caller).filter { !$0.isEmbedding }.map(\.id) + catalog.aliases(for: caller).filter { !$0.isEmbedding }.map(\.id)
    }

    static func page(_ ids: [String]) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeStaticString("{\"data\":[")
        for (i, id) in ids.enumerated() {
            if i > 0 { b.writeStaticString(",") }
            writeModel(id, into: &b)
        }
        b.writeStaticString("],\"has_more\":false,\"first_id\":")
        writeOptional(ids.first, into: &b)
        b.writeStaticString(",\"last_id\":")
        writeOptional(ids.last, into: &b)
        b.writeStaticString("}")
        return b
    }

    static func model(_ id: String) -> ByteBuffer {
        var b = ByteBuffer()
        writeModel(id, into: &b)
        return b
    }

    private static func writeModel(_ id: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"type\":\"model\",\"id\":")
        b.writeJSONString(id)
        b.writeStaticString(",\"display_name\":")
        b.writeJSONString(id)
        b.writeStaticString(",\"created_at\":\"")
        b.writeString(createdAt)
        b.writeStaticString("\"}")
    }

    private static func writeOptional(_ value: String?, into b: inout ByteBuffer) {
        if let value { b.writeJSONString(value) } else { b.writeStaticString("null") }
    }
}
