import Foundation
import SwitchyardModel

/// Reads a record's input in its own form and writes the answer in that form: Bedrock records through the door's
/// codecs, OpenAI and Gemini records through the runner's own.
public struct BatchRecordTranslator: Sendable {
    let bedrock: any BatchRecordCodec

    public init(bedrock: any BatchRecordCodec) {
        self.bedrock = bedrock
    }

    public func decode(_ record: BatchRecord, modelId: String, invocationType: String?) throws -> BatchDecodedInput {
        if let problem = record.problem { throw GatewayError(.validation, problem) }
        switch record.form {
        case .bedrock:
            return try bedrock.decode(modelInput: BatchJSON.data(record.modelInput), modelId: modelId, invocationType: invocationType)
        case .openai:
            switch try OpenAIRecordDecoder.decode(record.modelInput, url: record.url) {
            case .chat(let chat): return BatchDecodedInput(request: .chat(chat), shape: "openai:chat")
            case .embedding(let embedding): return BatchDecodedInput(request: .embedding(embedding), shape: "openai:embeddings")
            }
        case .gemini:
            return BatchDecodedInput(request: .chat(try GeminiRecordDecoder.decode(record.modelInput)), shape: "gemini")
        }
    }

    /// `model` is the model as the upstream knows it, for answers that name it.
    public func encode(_ response: ChatResponse, shape: String, modelId: String, model: String, recordId: String) throws -> Data {
        switch shape {
        case "openai:chat": BatchJSON.data(OpenAIRecordEncoder.chat(response, model: model, recordId: recordId))
        case "gemini": BatchJSON.data(GeminiRecordEncoder.response(response, model: model))
        default: try bedrock.encode(response, shape: shape, modelId: modelId)
        }
    }

    public func encode(_ response: EmbeddingResponse, request: EmbeddingRequest, shape: String, model: String) throws -> Data {
        if shape == "openai:embeddings" { return BatchJSON.data(OpenAIRecordEncoder.embeddings(response, model: model)) }
        return try bedrock.encode(response, request: request, shape: shape)
    }
}
