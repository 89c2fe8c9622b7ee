import Foundation
import OpenAIDialect
import Stores

/// A stored job as `/v1/batches` shows it. The job keeps Bedrock's statuses; OpenAI's are read from them: a batch
/// whose every request was answered, even with errors, is `completed` (OpenAI fails a batch only as a whole), a
/// stopped one `cancelled` unless something other than a cancel stopped it (a budget, a revoked key), which OpenAI
/// would call `failed`.
enum OpenAIBatchView {
    static func object(_ job: BatchJob) -> OpenAIBatchObject {
        let state = job.runnerState
        let stats = job.statistics
        let status = status(job)
        var batch = OpenAIBatchObject(
            id: OpenAIBatchState.idPrefix + job.id, endpoint: state[OpenAIBatchState.endpoint] ?? "/v1/chat/completions",
            inputFileId: state[OpenAIBatchState.inputFileId] ?? "", completionWindow: state[OpenAIBatchState.completionWindow] ?? "24h",
            status: status, createdAt: seconds(job.submitTime),
            requestCounts: .init(total: stats.totalRecordCount, completed: stats.successRecordCount, failed: stats.errorRecordCount))
        batch.expiresAt = seconds(BatchJobView.expiration(job))
        batch.inProgressAt = state[OpenAIBatchState.inProgressAt].flatMap(Int.init)
        batch.cancellingAt = state[OpenAIBatchState.cancellingAt].flatMap(Int.init)
        batch.outputFileId = state[OpenAIBatchState.outputFileId]
        batch.errorFileId = state[OpenAIBatchState.errorFileId]
        batch.metadata = state[OpenAIBatchState.metadata].flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
        let end = job.endTime.map(seconds)
        switch status {
        case .completed: batch.completedAt = end
        case .failed:
            batch.failedAt = end
            batch.failures = [.init(code: stats.totalRecordCount == 0 ? "invalid_input_file" : "batch_failed", message: job.message ?? "The batch failed.")]
        case .expired: batch.expiredAt = end
        case .cancelled: batch.cancelledAt = end
        default: break
        }
        return batch
    }

    static func status(_ job: BatchJob) -> OpenAIBatchObject.Status {
        let stats = job.statistics
        let allTried = stats.totalRecordCount > 0 && stats.processedRecordCount >= stats.totalRecordCount
        switch job.status {
        case .submitted, .validating, .scheduled: return .validating
        case .inProgress: return allTried ? .finalizing : .inProgress
        case .stopping: return .cancelling
        case .completed, .partiallyCompleted: return .completed
        // Every request answered with an error is still a completed batch; an unreadable input is a failed one.
        case .failed: return allTried ? .completed : .failed
        case .stopped: return job.message == nil ? .cancelled : .failed
        case .expired: return .expired
        }
    }

    static func seconds(_ date: Date) -> Int { Int(date.timeIntervalSince1970) }
}
