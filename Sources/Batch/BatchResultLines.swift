import AnthropicDialect
import Foundation
import OpenAIDialect
import Stores
import SwitchyardModel

/// A record's result line in its job's output form: Bedrock's `.out` line for model invocation jobs, a line of
/// OpenAI's output or error file for `/v1/batches` jobs, or a line of a Message Batch's results (whose answers are
/// already in the door's dialect, since their records are that door's requests).
struct BatchResultLines: Sendable {
    let jobId: String
    let dialect: DoorBatchDialect?
    /// The endpoint every line must name, for OpenAI batches.
    let endpoint: String

    init(job: BatchJob) {
        jobId = job.id
        dialect = DoorBatchState.dialect(job)
        endpoint = job.runnerState[OpenAIBatchState.endpoint] ?? "/v1/chat/completions"
    }

    /// The pipeline call's request id, which an OpenAI line reports as its `request_id`.
    func requestId(_ record: BatchRecord) -> String { "\(jobId)-\(record.index)" }

    func lineId(_ record: BatchRecord) -> String { "batch_req_\(jobId)_\(record.index)" }

    /// Door batches: the line for a record that must not be sent (it is no request of the door's, or not to the
    /// batch's endpoint); nil when it may be.
    func refusal(_ record: BatchRecord) -> String? {
        switch dialect {
        case nil: return nil
        case .openai:
            let problem: String? =
                if let problem = record.problem { problem }
                else if record.form != .openai { "line \(record.index + 1) is not an OpenAI batch request (custom_id, method, url, body)" }
                else if record.url != endpoint { "line \(record.index + 1) has url '\(record.url ?? "")', but the batch's endpoint is '\(endpoint)'" }
                else { nil }
            return problem.map { OpenAIBatchLine.unsent(id: lineId(record), customId: record.recordId, code: "invalid_request", message: $0) }
        case .anthropic:
            let problem: String? =
                if let problem = record.problem { problem }
                else if record.form != .anthropic { "request \(record.index) is not a Message Batch request (custom_id, params)" }
                else { nil }
            return problem.map { AnthropicBatchResultLine.errored(customId: record.recordId, type: .invalidRequest, message: $0) }
        }
    }

    func answered(_ record: BatchRecord, output: Data) -> String {
        switch dialect {
        case nil: BatchOutputLine.success(recordId: record.recordId, modelInput: record.modelInput, modelOutput: output)
        case .openai: OpenAIBatchLine.answered(id: lineId(record), customId: record.recordId, requestId: requestId(record), body: output)
        case .anthropic: AnthropicBatchResultLine.succeeded(customId: record.recordId, message: output)
        }
    }

    /// `code`: the status the upstream or the gateway gave the request.
    func failed(_ record: BatchRecord, error: GatewayError, code: Int) -> String {
        switch dialect {
        case nil:
            return BatchOutputLine.failure(recordId: record.recordId, modelInput: record.modelInput, code: code, message: error.message)
        case .openai:
            var body = OpenAIError(error)
            body.status = code
            return OpenAIBatchLine.refused(id: lineId(record), customId: record.recordId, requestId: requestId(record), error: body)
        case .anthropic:
            return AnthropicBatchResultLine.errored(customId: record.recordId, type: AnthropicErrorType(kind: error.kind), message: error.message)
        }
    }

    /// Message Batches: the line of a record the job ended without running, which Anthropic's results still list.
    func unrun(_ record: BatchRecord, because reason: BatchUnrun) -> String {
        switch reason {
        case .canceled: AnthropicBatchResultLine.canceled(customId: record.recordId)
        case .expired: AnthropicBatchResultLine.expired(customId: record.recordId)
        case .refused(let error): failed(record, error: error, code: BatchOutputLine.code(for: error))
        }
    }
}

/// Why a job ended with records it never ran: a cancel, its timeout, or a halt (its key's budget ran out, its key
/// can no longer act) that refuses each of them.
enum BatchUnrun: Sendable {
    case canceled
    case expired
    case refused(GatewayError)

    /// What a Message Batch counts them as (`request_counts`).
    var countedAs: String {
        switch self {
        case .canceled: "canceled"
        case .expired: "expired"
        case .refused: "errored"
        }
    }
}
