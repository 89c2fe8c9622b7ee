import Foundation
import OpenAIDialect
import SwitchyardModel

/// A desk's batch as `/v1/batches` shows it. The runner keeps Bedrock's statuses; OpenAI's are read from them: a
/// batch whose every request was answered, even with errors, is `completed` (OpenAI fails a batch only as a whole),
/// a stopped one `cancelled` unless something other than a cancel stopped it (a budget, a revoked key), which
/// OpenAI would call `failed`.
enum OpenAIBatchView {
    static let idPrefix = "batch_"

    /// The desk's id behind `batch_…`; an id of any other shape names no batch (the desk then finds nothing).
    static func deskId(_ id: String) -> String {
        id.hasPrefix(idPrefix) ? String(id.dropFirst(idPrefix.count)) : ""
    }

    static func object(_ batch: DoorBatch) -> OpenAIBatchObject {
        let notes = batch.notes
        let status = status(batch)
        var object = OpenAIBatchObject(
            id: idPrefix + batch.id, endpoint: notes["endpoint"] ?? "/v1/chat/completions", inputFileId: notes["inputFileId"] ?? "",
            completionWindow: notes["completionWindow"] ?? "24h", status: status, createdAt: seconds(batch.createdAt),
            requestCounts: .init(total: batch.total, completed: batch.succeeded, failed: batch.errored))
        object.expiresAt = seconds(batch.expiresAt)
        object.inProgressAt = batch.startedAt.map(seconds)
        object.cancellingAt = batch.cancelRequestedAt.map(seconds)
        object.outputFileId = notes["outputFileId"]
        object.errorFileId = notes["errorFileId"]
        object.metadata = notes["metadata"].flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
        let end = batch.endedAt.map(seconds)
        switch status {
        case .completed: object.completedAt = end
        case .failed:
            object.failedAt = end
            object.failures = [.init(code: batch.total == 0 ? "invalid_input_file" : "batch_failed", message: batch.message ?? "The batch failed.")]
        case .expired: object.expiredAt = end
        case .cancelled: object.cancelledAt = end
        default: break
        }
        return object
    }

    static func status(_ batch: DoorBatch) -> OpenAIBatchObject.Status {
        let allTried = batch.total > 0 && batch.processed >= batch.total
        switch batch.status {
        case "InProgress": return allTried ? .finalizing : .inProgress
        case "Stopping": return .cancelling
        case "Completed", "PartiallyCompleted": return .completed
        // Every request answered with an error is still a completed batch; an unreadable input is a failed one.
        case "Failed": return allTried ? .completed : .failed
        case "Stopped": return batch.message == nil ? .cancelled : .failed
        case "Expired": return .expired
        default: return .validating
        }
    }

    /// The request's notes for the desk, which `object` reads back.
    static func notes(_ request: OpenAIBatchRequest, inputFileId: String) -> [String: String] {
        var notes = ["endpoint": request.endpoint, "inputFileId": inputFileId, "completionWindow": request.completionWindow]
        if let metadata = request.metadata { notes["metadata"] = String(decoding: OpenAIObjectJSON.data(metadata), as: UTF8.self) }
        return notes
    }

    static func hours(_ completionWindow: String) -> Int {
        completionWindow.hasSuffix("h") ? Int(completionWindow.dropLast()) ?? 24 : 24
    }

    static func seconds(_ date: Date) -> Int { Int(date.timeIntervalSince1970) }
}
