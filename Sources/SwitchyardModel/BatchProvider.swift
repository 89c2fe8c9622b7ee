/// A provider's own batch API (OpenAI Batch, Anthropic Message Batches, Gemini batch mode). The gateway submits a
/// job's records, polls, and turns the results into Bedrock's output form itself.
public protocol BatchProvider: Sendable {
    /// The record form (`openai`, `gemini`) whose bodies this API takes unchanged, if any.
    var nativeRecordForm: String? { get }
    /// Returns the provider's id for the batch.
    func submit(_ submission: BatchSubmission, target: UpstreamTarget) async throws -> String
    func state(of batchId: String, target: UpstreamTarget) async throws -> BatchRemoteState
    /// Every answer the provider has for the batch; called once it has ended, been cancelled or expired.
    func outcomes(of batchId: String, target: UpstreamTarget) async throws -> [BatchRemoteOutcome]
    func cancel(_ batchId: String, target: UpstreamTarget) async throws
    /// The batch an earlier submission made for `jobId` (tagged with it), if the provider can look it up: a gateway
    /// killed between the provider accepting a batch and the gateway storing its id must not submit it twice.
    func find(jobId: String, target: UpstreamTarget) async throws -> String?
}

extension BatchProvider {
    public func find(jobId: String, target: UpstreamTarget) async throws -> String? { nil }
}
