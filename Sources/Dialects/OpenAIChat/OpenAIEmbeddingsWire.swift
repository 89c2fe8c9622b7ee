import AWSWire
import Foundation
import NIOCore
import SwitchyardModel

/// An `/v1/embeddings` request as the door receives it.
public struct OpenAIEmbeddingsCall: Sendable {
    public var model: String
    public var request: EmbeddingRequest
    /// `encoding_format: base64`: each vector as little-endian float32 bytes, what the SDK asks for by default.
    public var base64: Bool
}

public enum OpenAIEmbeddingsWire {
    public static func read(_ body: ByteBuffer) throws -> OpenAIEmbeddingsCall {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView)), let members = value.objectValue else {
            throw GatewayError(.validation, "We could not parse the JSON body of your request. The body must be a JSON object.")
        }
        return try read(members)
    }

    public static func read(_ members: [String: JSONValue], defaultModel: String? = nil) throws -> OpenAIEmbeddingsCall {
        guard let model = members["model"]?.stringValue ?? defaultModel, !model.isEmpty else {
            throw GatewayError(.validation, "you must provide a model parameter")
        }
        let inputs: [String]
        switch members["input"] {
        case .string(let text)?: inputs = [text]
        case .array(let items)? where !items.isEmpty && items.allSatisfy({ $0.stringValue != nil }): inputs = items.compactMap(\.stringValue)
        case .array(let items)? where !items.isEmpty:
            throw GatewayError(.validation, "Invalid 'input': token arrays are not supported by this gateway; send strings.")
        default:
            throw GatewayError(.validation, "Invalid 'input': expected a non-empty string or an array of strings.")
        }
        if inputs.contains(where: \.isEmpty) { throw GatewayError(.validation, "Invalid 'input': strings may not be empty.") }
        let format = members["encoding_format"]?.stringValue ?? "float"
        guard format == "float" || format == "base64" else {
            throw GatewayError(.validation, "Invalid 'encoding_format': expected 'float' or 'base64'.")
        }
        var dimensions: Int?
        if let raw = members["dimensions"], raw != .null {
            guard let value = raw.intValue, value > 0 else { throw GatewayError(.validation, "Invalid 'dimensions': expected a positive integer.") }
            dimensions = value
        }
        return OpenAIEmbeddingsCall(model: model, request: EmbeddingRequest(inputs: inputs, dimensions: dimensions), base64: format == "base64")
    }

    public static func write(_ answer: EmbeddingResponse, model: String, base64: Bool) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeStaticString(#"{"object":"list","data":["#)
        for (index, vector) in answer.vectors.enumerated() {
            if index > 0 { out.writeStaticString(",") }
            out.writeStaticString(#"{"object":"embedding","index":"#)
            out.writeString(String(index))
            out.writeStaticString(#","embedding":"#)
            if base64 {
                var bytes = [UInt8]()
                bytes.reserveCapacity(vector.count * 4)
                for value in vector {
                    let bits = Float(value).bitPattern.littleEndian
                    withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
                }
                out.writeJSONString(Data(bytes).base64EncodedString())
            } else {
                out.writeStaticString("[")
                for (i, value) in vector.enumerated() {
                    if i > 0 { out.writeStaticString(",") }
                    out.writeString(value.isFinite ? String(Float(value)) : "0")
                }
                out.writeStaticString("]")
            }
            out.writeStaticString("}")
        }
        out.writeStaticString(#"],"model":"#)
        out.writeJSONString(model)
        out.writeStaticString(#","usage":{"prompt_tokens":"#)
        out.writeString(String(answer.inputTokens))
        out.writeStaticString(#","total_tokens":"#)
        out.writeString(String(answer.inputTokens))
        out.writeStaticString("}}")
        return out
    }
}
