import Foundation
import OpenAIDialect
import Stores
import SwitchyardModel

/// A record's result line in its job's output form: Bedrock's `.out` line for model invocation jobs, or a line of
/// OpenAI's output or error file for `/v1/batches` jobs (whose answers are already in the OpenAI dialect, since
/// their records are OpenAI requests).
struct BatchResultLines: Sendable {
    let jobId: String
    /// The endpoint every line must name, for OpenAI batches; nil for Bedrock jobs.
    let endpoint: String?

    init(job: BatchJob) {
        jobId = job.id
        endpoint = OpenAIBatchState.isOpenAI(job) ? job.runnerState[OpenAIBatchState.endpoint] ?? "/v1/chat/completions" : nil
    }

    /// The pipeline call's request id, which an OpenAI line reports as its `request_id`.
    func requestId(_ record: BatchRecord) -> String { "\(jobId)-\(record.index)" }

    func lineId(_ record: BatchRecord) -> String { "batch_req_\(jobId)_\(record.index)" }

    /// OpenAI batches: the line for a record that must not be sent (it is no OpenAI request to the batch's
    /// endpoint); nil when it may be.
    func refusal(_ record: BatchRecord) -> String? {
        guard let endpoint else { return nil }
        let problem: String? =
            if let problem = record.problem { problem }
            else if record.form != .openai { "line \(record.index + 1) is not an OpenAI batch request (custom_id, method, url, body)" }
            else if record.url != endpoint { "line \(record.index + 1) has url '\(record.url ?? "")', but the batch's endpoint is '\(endpoint)'" }
            else { nil }
        return problem.map { OpenAIBatchLine.unsent(id: lineId(record), customId: record.recordId, code: "invalid_request", message: $0) }
    }

    func answered(_ record: BatchRecord, output: Data) -> String {
        guard endpoint != nil else { return BatchOutputLine.success(recordId: record.recordId, modelInput: record.modelInput, modelOutput: output) }
        return OpenAIBatchLine.answered(id: lineId(record), customId: record.recordId, requestId: requestId(record), body: output)
    }

    /// `code`: the status the upstream or the gateway gave the request.
    func failed(_ record: BatchRecord, error: GatewayError, code: Int) -> String {
        guard endpoint != nil else {
            return BatchOutputLine.failure(recordId: record.recordId, modelInput: record.modelInput, code: code, message: error.message)
        }
        var body = OpenAIError(error)
        body.status = code
        return OpenAIBatchLine.refused(id: lineId(record), customId: record.recordId, requestId: requestId(record), error: body)
    }
}
