import AnthropicDialect
import Foundation
import GeminiDialect
import NIOCore
import OpenAIDialect
import SwitchyardModel

/// Reads a record's input in its own form and writes the answer in that form: Bedrock records through the door's
/// codecs, OpenAI and Anthropic records through their dialects' (the doors' own), Gemini records through the Gemini dialect's.
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
            guard let body = record.modelInput.objectValue else { throw GatewayError(.validation, "body must be a JSON object") }
            if record.url?.hasSuffix("/embeddings") == true || (body["messages"] == nil && body["input"] != nil) {
                let embeddings = try OpenAIEmbeddingsWire.read(body, defaultModel: modelId)
                return BatchDecodedInput(request: .embedding(embeddings.request), shape: "openai:embeddings")
            }
            let call = try OpenAIChatRequestReader.read(body, defaultModel: modelId)
            if call.stream { throw GatewayError(.validation, "body.stream: a batch line cannot stream its answer") }
            var chat = call.chat
            if let format = call.responseFormat { chat.additionalFields["response_format"] = format }
            return BatchDecodedInput(request: .chat(chat), shape: "openai:chat")
        case .gemini:
            return BatchDecodedInput(request: .chat(try GeminiBatchRecord.decode(record.modelInput)), shape: "gemini")
        case .anthropic:
            let decoded = try AnthropicRequestDecoder.decode(BatchJSON.data(record.modelInput), form: .messages)
            if decoded.stream { throw GatewayError(.validation, "params.stream: a batch request cannot stream its answer") }
            return BatchDecodedInput(request: .chat(decoded.chat), shape: "anthropic:messages")
        }
    }

    /// `model` is the model as the upstream knows it, for answers that name it.
    public func encode(_ response: ChatResponse, shape: String, modelId: String, model: String, recordId: String) throws -> Data {
        switch shape {
        case "openai:chat":
            Data(
                OpenAIChatResponseWriter.write(response, id: "chatcmpl-\(recordId)", model: model, created: Int(Date().timeIntervalSince1970))
                    .readableBytesView)
        case "gemini": GeminiBatchRecord.response(response, model: model)
        case "anthropic:messages": Self.anthropicMessage(response, model: modelId)
        default: try bedrock.encode(response, shape: shape, modelId: modelId)
        }
    }

    /// Named after the model the caller asked for, as the Anthropic door's own answers are.
    static func anthropicMessage(_ response: ChatResponse, model: String) -> Data {
        var out = ByteBuffer()
        AnthropicResponseWriter.write(response, model: model, messageId: AnthropicResponseWriter.messageId(), into: &out)
        return Data(out.readableBytesView)
    }

    public func encode(_ response: EmbeddingResponse, request: EmbeddingRequest, shape: String, model: String) throws -> Data {
        if shape == "openai:embeddings" { return Data(OpenAIEmbeddingsWire.write(response, model: model, base64: false).readableBytesView) }
        return try bedrock.encode(response, request: request, shape: shape)
    }
}
