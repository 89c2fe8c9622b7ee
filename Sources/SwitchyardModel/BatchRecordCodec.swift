import Foundation

/// Reads the `modelInput` of a Bedrock-form batch record (an InvokeModel body of some model family, or a Converse
/// body) and writes answers in that same shape. The batch runner cannot depend on the Bedrock door, which owns
/// these wire formats, so the server hands the door's codecs to the runner through this protocol.
public protocol BatchRecordCodec: Sendable {
    /// `invocationType` is the job's `modelInvocationType` (`InvokeModel`, `Converse`, or nil). Errors are
    /// `GatewayError(.validation)` naming what is wrong with the input.
    func decode(modelInput: Data, modelId: String, invocationType: String?) throws -> BatchDecodedInput
    /// The answer as the JSON the input's model family answers with.
    func encode(_ response: ChatResponse, shape: String, modelId: String) throws -> Data
    func encode(_ response: EmbeddingResponse, request: EmbeddingRequest, shape: String) throws -> Data
}
