import Foundation
import NIOCore
import SwitchyardModel

/// Titan and Cohere embedding answers, vectors written straight into the buffer.
enum InvokeEmbeddingResponseWriter {
    /// `{"embedding": […], "inputTextTokenCount", "embeddingsByType": {"float": […]}}` (the last for Titan v2).
    static func writeTitan(_ response: EmbeddingResponse, byType: Bool, into b: inout ByteBuffer) {
        let vector = response.vectors.first ?? []
        b.writeStaticString("{\"embedding\":")
        writeVector(vector, into: &b)
        b.writeStaticString(",\"inputTextTokenCount\":")
        ConverseJSONWriter.writeInt(response.inputTokens, into: &b)
        if byType {
            b.writeStaticString(",\"embeddingsByType\":{\"float\":")
            writeVector(vector, into: &b)
            b.writeStaticString("}")
        }
        b.writeStaticString("}")
    }

    /// `{"id", "texts", "embeddings": [[…]] | {"float": [[…]]}, "response_type"}`
    static func writeCohere(_ response: EmbeddingResponse, texts: [String], byType: Bool, into b: inout ByteBuffer) {
        b.writeStaticString("{\"id\":")
        b.writeJSONString(UUID().uuidString.lowercased())
        b.writeStaticString(",\"texts\":[")
        for (i, text) in texts.enumerated() {
            if i > 0 { b.writeStaticString(",") }
            b.writeJSONString(text)
        }
        b.writeStaticString("],\"embeddings\":")
        if byType { b.writeStaticString("{\"float\":") }
        b.writeStaticString("[")
        for (i, vector) in response.vectors.enumerated() {
            if i > 0 { b.writeStaticString(",") }
            writeVector(vector, into: &b)
        }
        b.writeStaticString("]")
        if byType {
            b.writeStaticString("},\"response_type\":\"embeddings_by_type\"}")
        } else {
            b.writeStaticString(",\"response_type\":\"embeddings_floats\"}")
        }
    }

    private static func writeVector(_ vector: [Double], into b: inout ByteBuffer) {
        b.writeStaticString("[")
        for (i, x) in vector.enumerated() {
            if i > 0 { b.writeStaticString(",") }
            ConverseJSONWriter.writeNumber(x, into: &b)
        }
        b.writeStaticString("]")
    }
}
