import Foundation
import NIOCore
import SwitchyardModel

/// The Bedrock door's codecs, offered to the batch runner: a record's `modelInput` is an InvokeModel body of its
/// model's family (or a Converse body), and its `modelOutput` is that family's answer.
public struct BatchJobRecordCodec: BatchRecordCodec {
    public init() {}

    public func decode(modelInput: Data, modelId: String, invocationType: String?) throws -> BatchDecodedInput {
        if invocationType == "Converse" {
            return BatchDecodedInput(request: .chat(try ConverseRequestDecoder.decode(modelInput)), shape: "converse")
        }
        do {
            switch try InvokeRequestDecoder.decode(modelInput, modelId: modelId) {
            case .chat(let chat, let family):
                return BatchDecodedInput(request: .chat(chat), shape: "invoke:\(family.rawValue)")
            case .embedding(let embedding, let family, let byType):
                return BatchDecodedInput(request: .embedding(embedding), shape: "embed:\(family.rawValue):\(byType)")
            }
        } catch {
            // Callers often write Converse bodies without saying modelInvocationType (Bedrock's own examples do).
            if invocationType == nil, let chat = try? ConverseRequestDecoder.decode(modelInput) {
                return BatchDecodedInput(request: .chat(chat), shape: "converse")
            }
            throw error
        }
    }

    public func encode(_ response: ChatResponse, shape: String, modelId: String) throws -> Data {
        if shape == "converse" { return Data(ConverseResponseEncoder.encode(response).readableBytesView) }
        guard shape.hasPrefix("invoke:"), let family = InvokeFamily(rawValue: String(shape.dropFirst(7))), !family.isEmbedding else {
            throw GatewayError(.internalError, "no chat answer shape '\(shape)'")
        }
        return Data(InvokeResponseEncoder.encode(response, family: family, modelId: modelId).readableBytesView)
    }

    public func encode(_ response: EmbeddingResponse, request: EmbeddingRequest, shape: String) throws -> Data {
        let parts = shape.split(separator: ":")
        guard parts.count == 3, parts[0] == "embed", let family = InvokeFamily(rawValue: String(parts[1])), family.isEmbedding else {
            throw GatewayError(.internalError, "no embedding answer shape '\(shape)'")
        }
        let buffer = InvokeResponseEncoder.encode(response, request: request, family: family, byType: parts[2] == "true")
        return Data(buffer.readableBytesView)
    }
}
