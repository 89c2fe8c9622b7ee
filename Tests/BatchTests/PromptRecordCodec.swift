import Foundation
import SwitchyardModel

/// A stand-in for the Bedrock door's codec: `{"prompt": "…"}` in, `{"completion": "…"}` out.
struct PromptRecordCodec: BatchRecordCodec {
    func decode(modelInput: Data, modelId: String, invocationType: String?) throws -> BatchDecodedInput {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: modelInput), let prompt = value["prompt"]?.stringValue else {
            throw GatewayError(.validation, "modelInput needs a prompt")
        }
        return BatchDecodedInput(request: .chat(ChatRequest(messages: [Message(role: .user, content: [.text(prompt)])])), shape: "prompt")
    }

    func encode(_ response: ChatResponse, shape: String, modelId: String) throws -> Data {
        let text = response.content.compactMap { part -> String? in
            if case .text(let text) = part { return text }
            return nil
        }.joined()
        return try JSONEncoder().encode(JSONValue.object(["completion": .string(text)]))
    }

    func encode(_ response: EmbeddingResponse, request: EmbeddingRequest, shape: String) throws -> Data {
        try JSONEncoder().encode(JSONValue.object(["embedding": .array((response.vectors.first ?? []).map { .number($0) })]))
    }
}
